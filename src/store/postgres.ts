import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AuditEntry } from '../domain/audit.ts';
import { IncidentBrief } from '../domain/brief.ts';
import { HealthReading } from '../domain/evidence.ts';
import type { Proposal, ProposalState } from '../domain/proposal.ts';
import { newIncidentId, newProposalId } from './ids.ts';
import {
  type AlertGroup,
  type ApprovalAttempt,
  type AuditFilter,
  type IncidentRecord,
  type IncidentSource,
  type IncidentThread,
  IncidentThreadSchema,
  type Job,
  type JobState,
  type NewProposal,
  type ProposalPatch,
  RESTARTED_STATES,
  type Store,
} from './store.ts';

/**
 * Versioned migrations, applied in order at open; a version is never edited once released.
 * Times are timestamptz and documents jsonb; every guarantee (append-only audit, compare-and-set,
 * one winner) is the database's, because several replicas share it.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE incidents (
        id text PRIMARY KEY,
        created_at timestamptz NOT NULL,
        source text NOT NULL,
        report text NOT NULL,
        brief jsonb,
        thread jsonb
      );
      CREATE TABLE proposals (
        id text PRIMARY KEY,
        -- Insertion order breaks ties between proposals created in the same millisecond.
        seq bigint GENERATED ALWAYS AS IDENTITY,
        incident_id text NOT NULL REFERENCES incidents(id),
        server_id text NOT NULL,
        reason text NOT NULL,
        state text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        decided_by text,
        decided_at timestamptz,
        executed_at timestamptz,
        before_health jsonb,
        after_health jsonb
      );
      CREATE INDEX proposals_server_state ON proposals (server_id, state);
      CREATE INDEX proposals_pending_expiry ON proposals (expires_at, seq) WHERE state = 'pending';
      CREATE INDEX proposals_incident ON proposals (incident_id, created_at, seq);

      CREATE TABLE audit_log (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        incident_id text NOT NULL,
        event text NOT NULL,
        actor text NOT NULL,
        details jsonb NOT NULL
      );
      CREATE INDEX audit_log_incident ON audit_log (incident_id, seq);
      -- The audit log is append-only, enforced by the database itself for every client.
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'restrict_violation';
      END
      $$;
      CREATE TRIGGER audit_log_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

      CREATE TABLE claims (key text PRIMARY KEY, expires_at timestamptz NOT NULL);

      CREATE TABLE alert_groups (
        id text PRIMARY KEY,
        key text NOT NULL,
        opened_at timestamptz NOT NULL,
        count integer NOT NULL,
        thread jsonb NOT NULL,
        incident_id text,
        counter_ts text,
        reported_count integer NOT NULL DEFAULT 1
      );
      CREATE INDEX alert_groups_key ON alert_groups (key, opened_at DESC);

      CREATE TABLE jobs (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        owner text,
        lease_expires_at timestamptz,
        created_at timestamptz NOT NULL,
        error text
      );
      CREATE INDEX jobs_runnable ON jobs (created_at, seq) WHERE state IN ('queued', 'running');

      CREATE TABLE pacing (key text PRIMARY KEY, next_at timestamptz NOT NULL);
    `,
  },
];

/** Raised when PostgreSQL cannot be connected to; its message never holds the URL or password. */
export class PostgresConnectError extends Error {
  override readonly name = 'PostgresConnectError';
}

export type PostgresStoreOptions = {
  /**
   * Created if missing and used as every connection's search_path (tests, shared databases).
   * An `options` parameter in the URL takes precedence over it (pg lets the URL win).
   */
  schema?: string;
  /** Connections this process may hold (pg's default is 10). */
  poolSize?: number;
  applicationName?: string;
};

type Row = Record<string, unknown>;
type Queryable = Pick<pg.PoolClient, 'query'>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Socket-level failures that mean "nothing answered there", as opposed to a refusal by the server. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ENOENT',
]);

function text(row: Row, key: string): string {
  const v = row[key];
  if (typeof v !== 'string') throw new Error(`store: column ${key} is not text`);
  return v;
}

function nullableText(row: Row, key: string): string | null {
  const v = row[key];
  return typeof v === 'string' ? v : null;
}

/** timestamptz → the ISO string the interface speaks (the same string the SQLite store keeps). */
function nullableTime(row: Row, key: string): string | null {
  const v = row[key];
  if (v === null || v === undefined) return null;
  const date = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : null;
  if (date === null || Number.isNaN(date.getTime()))
    throw new Error(`store: column ${key} is not a time`);
  return date.toISOString();
}

function time(row: Row, key: string): string {
  const v = nullableTime(row, key);
  if (v === null) throw new Error(`store: column ${key} is null`);
  return v;
}

function int(row: Row, key: string): number {
  const v = Number(row[key]);
  if (!Number.isInteger(v)) throw new Error(`store: column ${key} is not an integer`);
  return v;
}

function health(row: Row, key: string) {
  const v = row[key];
  return v === null || v === undefined ? null : HealthReading.parse(v);
}

/** jsonb parameters go as JSON text: pg would turn a JS array into a PostgreSQL array literal. */
function json(value: unknown): string {
  const encoded = JSON.stringify(value);
  if (encoded === undefined) throw new Error('store: value has no JSON form');
  return encoded;
}

/** SQLite treats a negative LIMIT as none; PostgreSQL rejects it, so map it to NULL (no limit). */
function limitOf(limit: number | undefined): number | null {
  return limit === undefined || limit < 0 ? null : limit;
}

function toProposal(row: Row): Proposal {
  return {
    id: text(row, 'id'),
    incidentId: text(row, 'incident_id'),
    serverId: text(row, 'server_id'),
    reason: text(row, 'reason'),
    state: text(row, 'state') as ProposalState,
    createdAt: time(row, 'created_at'),
    expiresAt: time(row, 'expires_at'),
    decidedBy: nullableText(row, 'decided_by'),
    decidedAt: nullableTime(row, 'decided_at'),
    executedAt: nullableTime(row, 'executed_at'),
    before: health(row, 'before_health'),
    after: health(row, 'after_health'),
  };
}

function toIncident(row: Row): IncidentRecord {
  return {
    id: text(row, 'id'),
    createdAt: time(row, 'created_at'),
    source: text(row, 'source') as IncidentSource,
    report: text(row, 'report'),
    brief: row.brief === null ? null : IncidentBrief.parse(row.brief),
    thread: row.thread === null ? null : IncidentThreadSchema.parse(row.thread),
  };
}

function toAlertGroup(row: Row): AlertGroup {
  return {
    id: text(row, 'id'),
    key: text(row, 'key'),
    openedAt: time(row, 'opened_at'),
    count: int(row, 'count'),
    thread: IncidentThreadSchema.parse(row.thread),
    incidentId: nullableText(row, 'incident_id'),
    counterTs: nullableText(row, 'counter_ts'),
    reportedCount: int(row, 'reported_count'),
  };
}

function toJob(row: Row): Job {
  return {
    id: text(row, 'id'),
    kind: text(row, 'kind'),
    payload: row.payload,
    state: text(row, 'state') as JobState,
    attempts: int(row, 'attempts'),
    owner: nullableText(row, 'owner'),
    leaseExpiresAt: nullableTime(row, 'lease_expires_at'),
    createdAt: time(row, 'created_at'),
    error: nullableText(row, 'error'),
  };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node's happy-eyeballs connect reports every address tried in an AggregateError.
  if (error instanceof AggregateError) return errorCode(error.errors[0]);
  return undefined;
}

/** A connection failure in words, naming host and port only: the URL carries the password. */
function connectError(target: string, error: unknown): PostgresConnectError {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code && UNREACHABLE.has(code))
    return new PostgresConnectError(`cannot reach PostgreSQL at ${target} (${code})`);
  if (/timeout/i.test(message))
    return new PostgresConnectError(`cannot reach PostgreSQL at ${target} (timeout)`);
  // The server refused us (authentication, unknown database…): its message names no password.
  return new PostgresConnectError(
    `PostgreSQL at ${target} refused the connection: ${message}${code ? ` (${code})` : ''}`,
  );
}

/** Host and port the URL resolves to (PG* variables and defaults included), for messages. */
function targetOf(url: string): string {
  try {
    const probe = new pg.Client({ connectionString: url });
    return `${probe.host}:${probe.port}`;
  } catch {
    // pg's parser redacts the URL in its error; ours carries none, and no cause to leak it by.
    throw new PostgresConnectError('the PostgreSQL URL is not a valid postgres:// URL');
  }
}

/** Runs `work` in one transaction on one connection; an error rolls it back. */
async function inTransaction<T>(
  client: pg.PoolClient,
  work: (tx: Queryable) => Promise<T>,
): Promise<{ result: T } | { error: unknown; broken: Error | undefined }> {
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return { result };
  } catch (error) {
    try {
      await client.query('ROLLBACK');
      return { error, broken: undefined };
    } catch (rollbackError) {
      // A connection that cannot roll back is not returned to the pool.
      return {
        error,
        broken: rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)),
      };
    }
  }
}

/** The shared store: one PostgreSQL database (or schema) for every replica. */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private closing: Promise<void> | null = null;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema))
      throw new Error(`store: schema name ${JSON.stringify(schema)} must match ${SCHEMA_NAME}`);
    const target = targetOf(url);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'level-zero-operator',
      // pg waits forever by default; a blackholed host should fail the start, not hang it.
      connectionTimeoutMillis: 10_000,
      // A validated identifier, quoted so that reserved words (e.g. "user") work too.
      ...(schema === undefined ? {} : { options: `-c search_path="${schema}"` }),
    });
    // An idle connection that dies (server restart, failover) is dropped by the pool and the next
    // query opens a new one, which reports any real outage; without a listener it would crash us.
    pool.on('error', () => {});
    const store = new PostgresStore(pool);
    try {
      await store.migrate(target, schema);
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return store;
  }

  private async migrate(target: string, schema: string | undefined): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw connectError(target, error);
    }
    await this.run(client, async (tx) => {
      // Replicas starting together take turns here: each migration is applied exactly once.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('lzo:migrate:' || $1))`, [
        schema ?? '',
      ]);
      if (schema !== undefined) await tx.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const applied = await tx.query<Row>('SELECT version FROM schema_migrations');
      const done = new Set(applied.rows.map((r) => int(r, 'version')));
      for (const m of POSTGRES_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await tx.query(m.sql);
        await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      }
    });
  }

  /** One transaction on a connection of the pool. */
  private async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.run(await this.pool.connect(), work);
  }

  private async run<T>(client: pg.PoolClient, work: (tx: Queryable) => Promise<T>): Promise<T> {
    // A checked-out connection that dies emits 'error'; the failing query already reports it.
    const ignore = () => {};
    client.on('error', ignore);
    const outcome = await inTransaction(client, work);
    client.off('error', ignore);
    if ('result' in outcome) {
      client.release();
      return outcome.result;
    }
    client.release(outcome.broken);
    throw outcome.error;
  }

  private async one(
    sql: string,
    params: unknown[],
    db: Queryable = this.pool,
  ): Promise<Row | null> {
    const result = await db.query<Row>(sql, params);
    return result.rows[0] ?? null;
  }

  private async all(sql: string, params: unknown[]): Promise<Row[]> {
    return (await this.pool.query<Row>(sql, params)).rows;
  }

  async createIncident(input: {
    source: IncidentSource;
    report: string;
    now: Date;
    thread?: IncidentThread | null;
  }): Promise<IncidentRecord> {
    const record: IncidentRecord = {
      id: newIncidentId(),
      createdAt: input.now.toISOString(),
      source: input.source,
      report: input.report,
      brief: null,
      thread: input.thread ?? null,
    };
    await this.pool.query(
      `INSERT INTO incidents (id, created_at, source, report, thread)
       VALUES ($1, $2, $3, $4, $5::jsonb)`,
      [
        record.id,
        record.createdAt,
        record.source,
        record.report,
        record.thread ? json(record.thread) : null,
      ],
    );
    return record;
  }

  async getIncident(id: string): Promise<IncidentRecord | null> {
    const row = await this.one('SELECT * FROM incidents WHERE id = $1', [id]);
    return row ? toIncident(row) : null;
  }

  async saveBrief(incidentId: string, brief: IncidentBrief): Promise<void> {
    await this.pool.query('UPDATE incidents SET brief = $1::jsonb WHERE id = $2', [
      json(brief),
      incidentId,
    ]);
  }

  async setIncidentThread(incidentId: string, thread: IncidentThread): Promise<void> {
    await this.pool.query('UPDATE incidents SET thread = $1::jsonb WHERE id = $2', [
      json(thread),
      incidentId,
    ]);
  }

  async setIncidentThreadIfUnposted(incidentId: string, thread: IncidentThread): Promise<boolean> {
    // A concurrent winner's row is re-checked after its commit, so the condition is false for us.
    const result = await this.pool.query(
      `UPDATE incidents SET thread = $1::jsonb
       WHERE id = $2 AND (thread IS NULL OR thread->>'messageTs' IS NULL)`,
      [json(thread), incidentId],
    );
    return result.rowCount === 1;
  }

  async createProposal(input: NewProposal & { now: Date }): Promise<Proposal> {
    const row = await this.one(
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
    if (!row) throw new Error('store: proposal insert returned nothing');
    return toProposal(row);
  }

  async getProposal(id: string): Promise<Proposal | null> {
    const row = await this.one('SELECT * FROM proposals WHERE id = $1', [id]);
    return row ? toProposal(row) : null;
  }

  async transitionProposal(
    id: string,
    from: readonly ProposalState[],
    to: ProposalState,
    patch: ProposalPatch = {},
  ): Promise<Proposal | null> {
    if (from.length === 0) return null;
    // One UPDATE … WHERE state = ANY(…) is the compare-and-set: a concurrent writer's row is
    // re-checked after it commits, so only one transition from a state succeeds.
    const row = await this.one(
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
        patch.before ? json(patch.before) : null,
        patch.after ? json(patch.after) : null,
        id,
        [...from],
      ],
    );
    return row ? toProposal(row) : null;
  }

  async countRestarts(serverId: string, since: Date): Promise<number> {
    return this.restartsSince(this.pool, serverId, since);
  }

  private async restartsSince(db: Queryable, serverId: string, since: Date): Promise<number> {
    const row = await this.one(
      `SELECT COUNT(*)::integer AS n FROM proposals
       WHERE server_id = $1 AND (
         (state = ANY($2::text[]) AND executed_at >= $3::timestamptz)
         OR (state = 'approved' AND decided_at >= $3::timestamptz)
       )`,
      [serverId, [...RESTARTED_STATES], since.toISOString()],
      db,
    );
    return row ? int(row, 'n') : 0;
  }

  async approveProposal(
    id: string,
    input: { decidedBy: string; decidedAt: Date; budget: number; since: Date },
  ): Promise<ApprovalAttempt> {
    return this.transaction(async (tx): Promise<ApprovalAttempt> => {
      // Approvals for one server take turns, whichever replica or connection runs them, so the
      // count below cannot miss another one's approval. Row locks alone would not do: two
      // different proposals lock different rows.
      const server = await this.one(
        `SELECT pg_advisory_xact_lock(hashtext('restart:' || server_id)) FROM proposals
         WHERE id = $1`,
        [id],
        tx,
      );
      if (!server) return { outcome: 'not_pending', proposal: null };
      // Each statement after the lock sees every approval committed before we got it.
      const row = await this.one('SELECT * FROM proposals WHERE id = $1 FOR UPDATE', [id], tx);
      const proposal = row ? toProposal(row) : null;
      if (proposal?.state !== 'pending') return { outcome: 'not_pending', proposal };
      const used = await this.restartsSince(tx, proposal.serverId, input.since);
      if (used >= input.budget) return { outcome: 'budget_used', used };
      const updated = await this.one(
        `UPDATE proposals SET state = 'approved', decided_by = $2, decided_at = $3
         WHERE id = $1 AND state = 'pending' RETURNING *`,
        [id, input.decidedBy, input.decidedAt.toISOString()],
        tx,
      );
      if (!updated) throw new Error('store: proposal changed while locked');
      return { outcome: 'approved', proposal: toProposal(updated) };
    });
  }

  async proposalsForIncident(incidentId: string): Promise<Proposal[]> {
    const rows = await this.all(
      'SELECT * FROM proposals WHERE incident_id = $1 ORDER BY created_at, seq',
      [incidentId],
    );
    return rows.map(toProposal);
  }

  async listExpiredProposals(now: Date, limit: number): Promise<Proposal[]> {
    const rows = await this.all(
      `SELECT * FROM proposals WHERE state = 'pending' AND expires_at <= $1
       ORDER BY expires_at, seq LIMIT $2`,
      [now.toISOString(), limitOf(limit)],
    );
    return rows.map(toProposal);
  }

  async claim(key: string, now: Date, ttlMs: number): Promise<boolean> {
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    // Insert, or take over an expired claim; a live claim makes the WHERE false and changes
    // nothing. Concurrent inserts of one key wait for the first and then see its live claim.
    const result = await this.pool.query(
      `INSERT INTO claims (key, expires_at) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE claims.expires_at <= $3
       RETURNING key`,
      [key, expires, now.toISOString()],
    );
    return result.rowCount === 1;
  }

  async joinAlertGroup(input: {
    key: string;
    now: Date;
    windowMs: number;
    thread: IncidentThread;
  }): Promise<{ opened: boolean; group: AlertGroup }> {
    const openedAfter = new Date(input.now.getTime() - input.windowMs).toISOString();
    return this.transaction(async (tx) => {
      // Without the lock, two first alerts would both find no group and both open one.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('alert-group:' || $1))`, [input.key]);
      const joined = await this.one(
        `UPDATE alert_groups SET count = count + 1
         WHERE id = (SELECT id FROM alert_groups WHERE key = $1 AND opened_at > $2
                     ORDER BY opened_at DESC LIMIT 1)
         RETURNING *`,
        [input.key, openedAfter],
        tx,
      );
      if (joined) return { opened: false, group: toAlertGroup(joined) };
      const created = await this.one(
        `INSERT INTO alert_groups (id, key, opened_at, count, thread)
         VALUES ($1, $2, $3, 1, $4::jsonb) RETURNING *`,
        [randomUUID(), input.key, input.now.toISOString(), json(input.thread)],
        tx,
      );
      if (!created) throw new Error('store: alert group insert returned nothing');
      return { opened: true, group: toAlertGroup(created) };
    });
  }

  async getAlertGroup(id: string): Promise<AlertGroup | null> {
    const row = await this.one('SELECT * FROM alert_groups WHERE id = $1', [id]);
    return row ? toAlertGroup(row) : null;
  }

  async setAlertGroupIncident(groupId: string, incidentId: string): Promise<void> {
    await this.pool.query('UPDATE alert_groups SET incident_id = $1 WHERE id = $2', [
      incidentId,
      groupId,
    ]);
  }

  async setAlertGroupCounter(
    groupId: string,
    counterTs: string,
    reportedCount: number,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE alert_groups SET counter_ts = $1, reported_count = GREATEST(reported_count, $2)
       WHERE id = $3`,
      [counterTs, reportedCount, groupId],
    );
  }

  async reserveSlot(key: string, now: Date, intervalMs: number): Promise<Date> {
    // Whole milliseconds, as the SQLite store's Date arithmetic keeps them.
    const step = Math.trunc(intervalMs);
    // One statement takes max(next_at, now) and advances it under the row's lock: concurrent
    // callers, on any replica, each get their own slot. The slot is where next_at was moved from.
    const row = await this.one(
      `INSERT INTO pacing (key, next_at)
       VALUES ($1, $2::timestamptz + $3::double precision * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE
         SET next_at = GREATEST(pacing.next_at, $2::timestamptz) + $3::double precision * interval '1 millisecond'
       RETURNING next_at`,
      [key, now.toISOString(), step],
    );
    if (!row) throw new Error('store: pacing upsert returned nothing');
    return new Date(Date.parse(time(row, 'next_at')) - step);
  }

  async enqueueJob(input: { kind: string; payload: unknown; now: Date }): Promise<Job> {
    const row = await this.one(
      `INSERT INTO jobs (id, kind, payload, state, created_at)
       VALUES ($1, $2, $3::jsonb, 'queued', $4) RETURNING *`,
      [randomUUID(), input.kind, json(input.payload), input.now.toISOString()],
    );
    if (!row) throw new Error('store: job insert returned nothing');
    return toJob(row);
  }

  async claimJob(input: { owner: string; now: Date; leaseMs: number }): Promise<Job | null> {
    // SKIP LOCKED: a job another claimer is taking is passed over rather than waited for, and a
    // job it took is re-checked after its commit and no longer matches.
    const row = await this.one(
      `UPDATE jobs SET state = 'running', owner = $1, lease_expires_at = $2,
         attempts = attempts + 1
       WHERE id = (SELECT id FROM jobs
                   WHERE state = 'queued' OR (state = 'running' AND lease_expires_at <= $3)
                   ORDER BY created_at, seq LIMIT 1
                   FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [
        input.owner,
        new Date(input.now.getTime() + input.leaseMs).toISOString(),
        input.now.toISOString(),
      ],
    );
    return row ? toJob(row) : null;
  }

  async renewJobLease(id: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE jobs SET lease_expires_at = $1 WHERE id = $2 AND owner = $3 AND state = 'running'`,
      [new Date(now.getTime() + leaseMs).toISOString(), id, owner],
    );
    return result.rowCount === 1;
  }

  async finishJob(
    id: string,
    owner: string,
    state: 'done' | 'failed',
    error?: string,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET state = $1, error = $2, lease_expires_at = NULL
       WHERE id = $3 AND owner = $4 AND state = 'running'`,
      [state, error ?? null, id, owner],
    );
  }

  async getJob(id: string): Promise<Job | null> {
    const row = await this.one('SELECT * FROM jobs WHERE id = $1', [id]);
    return row ? toJob(row) : null;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const valid = AuditEntry.parse(entry);
    await this.pool.query(
      `INSERT INTO audit_log (at, incident_id, event, actor, details)
       VALUES ($1, $2, $3, $4, $5::jsonb)`,
      [valid.at, valid.incident_id, valid.event, valid.actor, json(valid.details)],
    );
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const rows = await this.all(
      `SELECT * FROM audit_log WHERE ($1::text IS NULL OR incident_id = $1)
       ORDER BY seq DESC LIMIT $2`,
      [filter.incidentId || null, limitOf(filter.limit)],
    );
    return rows.map((row) =>
      AuditEntry.parse({
        at: time(row, 'at'),
        incident_id: text(row, 'incident_id'),
        event: text(row, 'event'),
        actor: text(row, 'actor'),
        details: row.details,
      }),
    );
  }

  async close(): Promise<void> {
    this.closing ??= this.pool.end();
    await this.closing;
  }
}
