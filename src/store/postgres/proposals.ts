import type { Proposal, ProposalState } from '../../domain/proposal.ts';
import { newProposalId } from '../ids.ts';
import {
  type ApprovalAttempt,
  IN_FLIGHT_STATES,
  type NewProposal,
  type ProposalPatch,
  type ProposalStore,
  RESTARTED_STATES,
} from '../ports.ts';
import { decode, jsonText, ProposalRow } from '../rows.ts';
import type { PostgresDatabase, Queryable } from './database.ts';
import { limitOf } from './database.ts';

const toProposal = (row: unknown): Proposal => decode(ProposalRow, 'proposals', row);

export class PostgresProposals implements ProposalStore {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async create(input: NewProposal & { now: Date }): Promise<Proposal> {
    const row = await this.db.one(
      `INSERT INTO proposals (id, incident_id, server_id, reason, state, created_at, expires_at)
       VALUES ($1, $2, $3, $4, 'pending', $5, $6) RETURNING *`,
      [
        newProposalId(),
        input.incidentId,
        input.serverId,
        input.reason,
        input.now.toISOString(),
        input.expiresAt.toISOString(),
      ],
    );
    return toProposal(row);
  }

  async get(id: string): Promise<Proposal | null> {
    const row = await this.db.one('SELECT * FROM proposals WHERE id = $1', [id]);
    return row ? toProposal(row) : null;
  }

  async transition(
    id: string,
    from: readonly ProposalState[],
    to: ProposalState,
    patch: ProposalPatch = {},
  ): Promise<Proposal | null> {
    if (from.length === 0) return null;
    // One UPDATE … WHERE state = ANY(…) is the compare-and-set: a concurrent writer's row is
    // re-checked after it commits, so only one transition from a state succeeds.
    const row = await this.db.one(
      `UPDATE proposals SET
         state = $1,
         decided_by = COALESCE($2, decided_by),
         decided_at = COALESCE($3::timestamptz, decided_at),
         executed_at = COALESCE($4::timestamptz, executed_at),
         before_health = COALESCE($5::jsonb, before_health),
         after_health = COALESCE($6::jsonb, after_health)
       WHERE id = $7 AND state = ANY($8::text[])
       RETURNING *`,
      [
        to,
        patch.decidedBy ?? null,
        patch.decidedAt?.toISOString() ?? null,
        patch.executedAt?.toISOString() ?? null,
        patch.before ? jsonText(patch.before) : null,
        patch.after ? jsonText(patch.after) : null,
        id,
        [...from],
      ],
    );
    return row ? toProposal(row) : null;
  }

  async countRestarts(serverId: string, since: Date): Promise<number> {
    return this.restartsSince(undefined, serverId, since);
  }

  private async restartsSince(
    tx: Queryable | undefined,
    serverId: string,
    since: Date,
  ): Promise<number> {
    const row = await this.db.one(
      `SELECT COUNT(*)::integer AS n FROM proposals
       WHERE server_id = $1 AND (
         (state = ANY($2::text[]) AND executed_at >= $3::timestamptz)
         OR (state = 'approved' AND decided_at >= $3::timestamptz)
       )`,
      [serverId, [...RESTARTED_STATES], since.toISOString()],
      tx,
    );
    return Number(row?.n ?? 0);
  }

  async approve(
    id: string,
    input: { decidedBy: string; decidedAt: Date; budget: number; since: Date; required?: number },
  ): Promise<ApprovalAttempt> {
    const required = Math.max(1, input.required ?? 1);
    return this.db.transaction(async (tx): Promise<ApprovalAttempt> => {
      // Approvals for one server take turns, whichever replica or connection runs them, so the
      // count below cannot miss another one's approval. Row locks alone would not do: two
      // different proposals lock different rows.
      const server = await this.db.one(
        `SELECT pg_advisory_xact_lock(hashtext('restart:' || server_id)) FROM proposals
         WHERE id = $1`,
        [id],
        tx,
      );
      if (!server) return { outcome: 'not_pending', proposal: null };
      // Each statement after the lock sees every approval committed before we got it.
      const row = await this.db.one('SELECT * FROM proposals WHERE id = $1 FOR UPDATE', [id], tx);
      const proposal = row ? toProposal(row) : null;
      if (proposal?.state !== 'pending') return { outcome: 'not_pending', proposal };
      // The proposal's row lock (FOR UPDATE above) makes concurrent approvers of it take turns.
      const earlier = (
        await tx.query<{ user_id: string }>(
          'SELECT user_id FROM proposal_approvals WHERE proposal_id = $1 ORDER BY at, user_id',
          [id],
        )
      ).rows.map((r) => String(r.user_id));
      if (earlier.includes(input.decidedBy))
        return { outcome: 'repeat', proposal, approvals: earlier.length, required };
      const approvals = earlier.length + 1;
      if (approvals >= required) {
        const used = await this.restartsSince(tx, proposal.serverId, input.since);
        if (used >= input.budget) return { outcome: 'budget_used', used };
      }
      await tx.query(
        'INSERT INTO proposal_approvals (proposal_id, user_id, at) VALUES ($1, $2, $3)',
        [id, input.decidedBy, input.decidedAt.toISOString()],
      );
      if (approvals < required) return { outcome: 'recorded', proposal, approvals, required };
      const updated = await this.db.one(
        `UPDATE proposals SET state = 'approved', decided_by = $2, decided_at = $3
         WHERE id = $1 AND state = 'pending' RETURNING *`,
        [id, input.decidedBy, input.decidedAt.toISOString()],
        tx,
      );
      if (!updated) throw new Error('store: proposal changed while locked');
      return {
        outcome: 'approved',
        proposal: toProposal(updated),
        approvers: [...earlier, input.decidedBy],
      };
    });
  }

  async forIncident(incidentId: string): Promise<Proposal[]> {
    const rows = await this.db.all(
      'SELECT * FROM proposals WHERE incident_id = $1 ORDER BY created_at, seq',
      [incidentId],
    );
    return rows.map(toProposal);
  }

  async listInFlight(limit: number): Promise<Proposal[]> {
    // The states as literals, so the planner can use the partial index (migration 5).
    const states = IN_FLIGHT_STATES.map((s) => `'${s}'`).join(', ');
    const rows = await this.db.all(
      `SELECT * FROM proposals WHERE state IN (${states}) ORDER BY decided_at, seq LIMIT $1`,
      [limitOf(limit)],
    );
    return rows.map(toProposal);
  }

  async forIncidents(incidentIds: readonly string[]): Promise<Proposal[]> {
    if (incidentIds.length === 0) return [];
    const rows = await this.db.all(
      'SELECT * FROM proposals WHERE incident_id = ANY($1::text[]) ORDER BY created_at, seq',
      [[...incidentIds]],
    );
    return rows.map(toProposal);
  }

  async listExpired(now: Date, limit: number): Promise<Proposal[]> {
    const rows = await this.db.all(
      `SELECT * FROM proposals WHERE state = 'pending' AND expires_at <= $1
       ORDER BY expires_at, seq LIMIT $2`,
      [now.toISOString(), limitOf(limit)],
    );
    return rows.map(toProposal);
  }

  async listPending(now: Date, limit: number): Promise<Proposal[]> {
    const rows = await this.db.all(
      `SELECT * FROM proposals WHERE state = 'pending' AND expires_at > $1
       ORDER BY created_at, seq LIMIT $2`,
      [now.toISOString(), limitOf(limit)],
    );
    return rows.map(toProposal);
  }
}
