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
import type { SqliteDatabase } from './database.ts';

const toProposal = (row: unknown): Proposal => decode(ProposalRow, 'proposals', row);

export class SqliteProposals implements ProposalStore {
  private readonly database: SqliteDatabase;
  private readonly db: SqliteDatabase['db'];

  constructor(database: SqliteDatabase) {
    this.database = database;
    this.db = database.db;
  }

  async create(input: NewProposal & { now: Date }): Promise<Proposal> {
    const row = this.db
      .prepare(
        `INSERT INTO proposals (id, incident_id, server_id, reason, state, created_at, expires_at)
         VALUES (?, ?, ?, ?, 'pending', ?, ?) RETURNING *`,
      )
      .get(
        newProposalId(),
        input.incidentId,
        input.serverId,
        input.reason,
        input.now.toISOString(),
        input.expiresAt.toISOString(),
      );
    return toProposal(row);
  }

  async get(id: string): Promise<Proposal | null> {
    const row = this.db.prepare('SELECT * FROM proposals WHERE id = ?').get(id);
    return row ? toProposal(row) : null;
  }

  async transition(
    id: string,
    from: readonly ProposalState[],
    to: ProposalState,
    patch: ProposalPatch = {},
  ): Promise<Proposal | null> {
    if (from.length === 0) return null;
    // One UPDATE … WHERE state IN (…) is the compare-and-set: SQLite serialises writers.
    const row = this.db
      .prepare(
        `UPDATE proposals SET
           state = ?,
           decided_by = COALESCE(?, decided_by),
           decided_at = COALESCE(?, decided_at),
           executed_at = COALESCE(?, executed_at),
           before_health = COALESCE(?, before_health),
           after_health = COALESCE(?, after_health)
         WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})
         RETURNING *`,
      )
      .get(
        to,
        patch.decidedBy ?? null,
        patch.decidedAt?.toISOString() ?? null,
        patch.executedAt?.toISOString() ?? null,
        patch.before ? jsonText(patch.before) : null,
        patch.after ? jsonText(patch.after) : null,
        id,
        ...from,
      );
    return row ? toProposal(row) : null;
  }

  async countRestarts(serverId: string, since: Date): Promise<number> {
    return this.restartsSince(serverId, since);
  }

  private restartsSince(serverId: string, since: Date): number {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM proposals
         WHERE server_id = ? AND (
           (state IN (${RESTARTED_STATES.map(() => '?').join(', ')}) AND executed_at >= ?)
           OR (state = 'approved' AND decided_at >= ?)
         )`,
      )
      .get(serverId, ...RESTARTED_STATES, since.toISOString(), since.toISOString());
    return Number(row?.n ?? 0);
  }

  async approve(
    id: string,
    input: { decidedBy: string; decidedAt: Date; budget: number; since: Date; required?: number },
  ): Promise<ApprovalAttempt> {
    const required = Math.max(1, input.required ?? 1);
    return this.database.transaction((): ApprovalAttempt => {
      const row = this.db.prepare('SELECT * FROM proposals WHERE id = ?').get(id);
      const proposal = row ? toProposal(row) : null;
      if (proposal?.state !== 'pending') return { outcome: 'not_pending', proposal };
      const earlier = this.db
        .prepare('SELECT user_id FROM proposal_approvals WHERE proposal_id = ? ORDER BY at, rowid')
        .all(id)
        .map((r) => String(r.user_id));
      if (earlier.includes(input.decidedBy))
        return { outcome: 'repeat', proposal, approvals: earlier.length, required };
      const approvals = earlier.length + 1;
      if (approvals >= required) {
        const used = this.restartsSince(proposal.serverId, input.since);
        if (used >= input.budget) return { outcome: 'budget_used', used };
      }
      this.db
        .prepare('INSERT INTO proposal_approvals (proposal_id, user_id, at) VALUES (?, ?, ?)')
        .run(id, input.decidedBy, input.decidedAt.toISOString());
      if (approvals < required) return { outcome: 'recorded', proposal, approvals, required };
      const updated = this.db
        .prepare(
          `UPDATE proposals SET state = 'approved', decided_by = ?, decided_at = ?
           WHERE id = ? AND state = 'pending' RETURNING *`,
        )
        .get(input.decidedBy, input.decidedAt.toISOString(), id);
      if (!updated) throw new Error('store: proposal changed inside a write transaction');
      return {
        outcome: 'approved',
        proposal: toProposal(updated),
        approvers: [...earlier, input.decidedBy],
      };
    });
  }

  async forIncident(incidentId: string): Promise<Proposal[]> {
    return this.db
      .prepare('SELECT * FROM proposals WHERE incident_id = ? ORDER BY created_at, rowid')
      .all(incidentId)
      .map(toProposal);
  }

  async listInFlight(limit: number): Promise<Proposal[]> {
    return this.db
      .prepare(
        `SELECT * FROM proposals WHERE state IN (${IN_FLIGHT_STATES.map(() => '?').join(', ')})
         ORDER BY decided_at, rowid LIMIT ?`,
      )
      .all(...IN_FLIGHT_STATES, limit)
      .map(toProposal);
  }

  async forIncidents(incidentIds: readonly string[]): Promise<Proposal[]> {
    if (incidentIds.length === 0) return [];
    return this.db
      .prepare(
        `SELECT * FROM proposals WHERE incident_id IN (${incidentIds.map(() => '?').join(', ')})
         ORDER BY created_at, rowid`,
      )
      .all(...incidentIds)
      .map(toProposal);
  }

  async listExpired(now: Date, limit: number): Promise<Proposal[]> {
    return this.db
      .prepare(
        `SELECT * FROM proposals WHERE state = 'pending' AND expires_at <= ?
         ORDER BY expires_at LIMIT ?`,
      )
      .all(now.toISOString(), limit)
      .map(toProposal);
  }

  async listPending(now: Date, limit: number): Promise<Proposal[]> {
    return this.db
      .prepare(
        `SELECT * FROM proposals WHERE state = 'pending' AND expires_at > ?
         ORDER BY created_at, rowid LIMIT ?`,
      )
      .all(now.toISOString(), limit)
      .map(toProposal);
  }
}
