import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
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

/** Versioned migrations, applied in order at open; a version is never edited once released. */
export const SQLITE_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        source TEXT NOT NULL,
        report TEXT NOT NULL,
        brief TEXT
      );
      CREATE TABLE proposals (
        id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents(id),
        server_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        executed_at TEXT,
        before_health TEXT,
        after_health TEXT
      );
      CREATE INDEX proposals_server_executed ON proposals(server_id, executed_at);
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        event TEXT NOT NULL,
        actor TEXT NOT NULL,
        details TEXT NOT NULL
      );
      CREATE INDEX audit_incident ON audit_log(incident_id, seq);
      -- The audit log is append-only, enforced by the database itself.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 2,
    sql: `
      ALTER TABLE incidents ADD COLUMN thread TEXT;
      CREATE INDEX proposals_pending_expiry ON proposals(state, expires_at);
      CREATE INDEX proposals_incident ON proposals(incident_id);
      CREATE TABLE claims (key TEXT PRIMARY KEY, expires_at TEXT NOT NULL);
      CREATE TABLE alert_groups (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        count INTEGER NOT NULL,
        thread TEXT NOT NULL,
        incident_id TEXT,
        counter_ts TEXT,
        reported_count INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX alert_groups_key ON alert_groups(key, opened_at);
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        lease_expires_at TEXT,
        created_at TEXT NOT NULL,
        error TEXT
      );
      CREATE INDEX jobs_runnable ON jobs(state, created_at);
    `,
  },
  {
    version: 3,
    sql: `
      CREATE TABLE pacing (key TEXT PRIMARY KEY, next_at TEXT NOT NULL);
    `,
  },
];

type Row = Record<string, SQLInputValue>;

function text(row: Row, key: string): string {
  const v = row[key];
  if (typeof v !== 'string') throw new Error(`store: column ${key} is not text`);
  return v;
}

function nullableText(row: Row, key: string): string | null {
  const v = row[key];
  return typeof v === 'string' ? v : null;
}

function health(row: Row, key: string) {
  const v = nullableText(row, key);
  return v === null ? null : HealthReading.parse(JSON.parse(v));
}

function toProposal(row: Row): Proposal {
  return {
    id: text(row, 'id'),
    incidentId: text(row, 'incident_id'),
    serverId: text(row, 'server_id'),
    reason: text(row, 'reason'),
    state: text(row, 'state') as ProposalState,
    createdAt: text(row, 'created_at'),
    expiresAt: text(row, 'expires_at'),
    decidedBy: nullableText(row, 'decided_by'),
    decidedAt: nullableText(row, 'decided_at'),
    executedAt: nullableText(row, 'executed_at'),
    before: health(row, 'before_health'),
    after: health(row, 'after_health'),
  };
}

function toIncident(row: Row): IncidentRecord {
  const brief = nullableText(row, 'brief');
  const thread = nullableText(row, 'thread');
  return {
    id: text(row, 'id'),
    createdAt: text(row, 'created_at'),
    source: text(row, 'source') as IncidentSource,
    report: text(row, 'report'),
    brief: brief === null ? null : IncidentBrief.parse(JSON.parse(brief)),
    thread: thread === null ? null : IncidentThreadSchema.parse(JSON.parse(thread)),
  };
}

function toAlertGroup(row: Row): AlertGroup {
  return {
    id: text(row, 'id'),
    key: text(row, 'key'),
    openedAt: text(row, 'opened_at'),
    count: Number(row.count),
    thread: IncidentThreadSchema.parse(JSON.parse(text(row, 'thread'))),
    incidentId: nullableText(row, 'incident_id'),
    counterTs: nullableText(row, 'counter_ts'),
    reportedCount: Number(row.reported_count),
  };
}

function toJob(row: Row): Job {
  return {
    id: text(row, 'id'),
    kind: text(row, 'kind'),
    payload: JSON.parse(text(row, 'payload')),
    state: text(row, 'state') as JobState,
    attempts: Number(row.attempts),
    owner: nullableText(row, 'owner'),
    leaseExpiresAt: nullableText(row, 'lease_expires_at'),
    createdAt: text(row, 'created_at'),
    error: nullableText(row, 'error'),
  };
}

/** The embedded store: one file under DATA_DIR, or `:memory:` for evals and tests. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly db: DatabaseSync;

  private constructor(db: DatabaseSync) {
    this.db = db;
  }

  static open(location: { dataDir: string } | ':memory:'): SqliteStore {
    let path = ':memory:';
    if (location !== ':memory:') {
      mkdirSync(location.dataDir, { recursive: true });
      path = join(location.dataDir, 'operator.db');
    }
    const db = new DatabaseSync(path);
    // WAL lets `npm run audit` read while the bot writes; busy_timeout waits out a writer's lock.
    db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
    const store = new SqliteStore(db);
    store.migrate();
    return store;
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      this.db
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((r) => Number(r.version)),
    );
    for (const m of SQLITE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.db.exec(m.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
          .run(m.version, new Date().toISOString());
        this.db.exec('COMMIT');
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    }
  }

  /** Runs `work` in one write transaction; BEGIN IMMEDIATE also serialises other processes. */
  private transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
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
    this.db
      .prepare(
        'INSERT INTO incidents (id, created_at, source, report, thread) VALUES (?, ?, ?, ?, ?)',
      )
      .run(
        record.id,
        record.createdAt,
        record.source,
        record.report,
        record.thread ? JSON.stringify(record.thread) : null,
      );
    return record;
  }

  async setIncidentThreadIfUnposted(incidentId: string, thread: IncidentThread): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE incidents SET thread = ?
         WHERE id = ? AND (thread IS NULL OR json_extract(thread, '$.messageTs') IS NULL)`,
      )
      .run(JSON.stringify(thread), incidentId);
    return Number(result.changes) === 1;
  }

  async reserveSlot(key: string, now: Date, intervalMs: number): Promise<Date> {
    return this.transaction(() => {
      const row = this.db.prepare('SELECT next_at FROM pacing WHERE key = ?').get(key);
      const free = row ? Math.max(Date.parse(text(row, 'next_at')), now.getTime()) : now.getTime();
      this.db
        .prepare(
          `INSERT INTO pacing (key, next_at) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET next_at = excluded.next_at`,
        )
        .run(key, new Date(free + intervalMs).toISOString());
      return new Date(free);
    });
  }

  async setIncidentThread(incidentId: string, thread: IncidentThread): Promise<void> {
    this.db
      .prepare('UPDATE incidents SET thread = ? WHERE id = ?')
      .run(JSON.stringify(thread), incidentId);
  }

  async getIncident(id: string): Promise<IncidentRecord | null> {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id);
    return row ? toIncident(row) : null;
  }

  async saveBrief(incidentId: string, brief: IncidentBrief): Promise<void> {
    this.db
      .prepare('UPDATE incidents SET brief = ? WHERE id = ?')
      .run(JSON.stringify(brief), incidentId);
  }

  async createProposal(input: NewProposal & { now: Date }): Promise<Proposal> {
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
    if (!row) throw new Error('store: proposal insert returned nothing');
    return toProposal(row);
  }

  async getProposal(id: string): Promise<Proposal | null> {
    const row = this.db.prepare('SELECT * FROM proposals WHERE id = ?').get(id);
    return row ? toProposal(row) : null;
  }

  async transitionProposal(
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
        patch.before ? JSON.stringify(patch.before) : null,
        patch.after ? JSON.stringify(patch.after) : null,
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

  async approveProposal(
    id: string,
    input: { decidedBy: string; decidedAt: Date; budget: number; since: Date },
  ): Promise<ApprovalAttempt> {
    return this.transaction((): ApprovalAttempt => {
      const row = this.db.prepare('SELECT * FROM proposals WHERE id = ?').get(id);
      const proposal = row ? toProposal(row) : null;
      if (proposal?.state !== 'pending') return { outcome: 'not_pending', proposal };
      const used = this.restartsSince(proposal.serverId, input.since);
      if (used >= input.budget) return { outcome: 'budget_used', used };
      const updated = this.db
        .prepare(
          `UPDATE proposals SET state = 'approved', decided_by = ?, decided_at = ?
           WHERE id = ? AND state = 'pending' RETURNING *`,
        )
        .get(input.decidedBy, input.decidedAt.toISOString(), id);
      if (!updated) throw new Error('store: proposal changed inside a write transaction');
      return { outcome: 'approved', proposal: toProposal(updated) };
    });
  }

  async proposalsForIncident(incidentId: string): Promise<Proposal[]> {
    return this.db
      .prepare('SELECT * FROM proposals WHERE incident_id = ? ORDER BY created_at')
      .all(incidentId)
      .map(toProposal);
  }

  async listExpiredProposals(now: Date, limit: number): Promise<Proposal[]> {
    return this.db
      .prepare(
        `SELECT * FROM proposals WHERE state = 'pending' AND expires_at <= ?
         ORDER BY expires_at LIMIT ?`,
      )
      .all(now.toISOString(), limit)
      .map(toProposal);
  }

  async claim(key: string, now: Date, ttlMs: number): Promise<boolean> {
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    // Insert, or take over an expired claim; a live claim makes the WHERE false and changes nothing.
    const result = this.db
      .prepare(
        `INSERT INTO claims (key, expires_at) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
         WHERE claims.expires_at <= ?`,
      )
      .run(key, expires, now.toISOString());
    return Number(result.changes) === 1;
  }

  async joinAlertGroup(input: {
    key: string;
    now: Date;
    windowMs: number;
    thread: IncidentThread;
  }): Promise<{ opened: boolean; group: AlertGroup }> {
    const openedAfter = new Date(input.now.getTime() - input.windowMs).toISOString();
    return this.transaction(() => {
      const joined = this.db
        .prepare(
          `UPDATE alert_groups SET count = count + 1
           WHERE id = (SELECT id FROM alert_groups WHERE key = ? AND opened_at > ?
                       ORDER BY opened_at DESC LIMIT 1)
           RETURNING *`,
        )
        .get(input.key, openedAfter);
      if (joined) return { opened: false, group: toAlertGroup(joined) };
      const created = this.db
        .prepare(
          `INSERT INTO alert_groups (id, key, opened_at, count, thread) VALUES (?, ?, ?, 1, ?)
           RETURNING *`,
        )
        .get(randomUUID(), input.key, input.now.toISOString(), JSON.stringify(input.thread));
      if (!created) throw new Error('store: alert group insert returned nothing');
      return { opened: true, group: toAlertGroup(created) };
    });
  }

  async getAlertGroup(id: string): Promise<AlertGroup | null> {
    const row = this.db.prepare('SELECT * FROM alert_groups WHERE id = ?').get(id);
    return row ? toAlertGroup(row) : null;
  }

  async setAlertGroupIncident(groupId: string, incidentId: string): Promise<void> {
    this.db
      .prepare('UPDATE alert_groups SET incident_id = ? WHERE id = ?')
      .run(incidentId, groupId);
  }

  async setAlertGroupCounter(
    groupId: string,
    counterTs: string,
    reportedCount: number,
  ): Promise<void> {
    this.db
      .prepare(
        `UPDATE alert_groups SET counter_ts = ?, reported_count = MAX(reported_count, ?)
         WHERE id = ?`,
      )
      .run(counterTs, reportedCount, groupId);
  }

  async enqueueJob(input: { kind: string; payload: unknown; now: Date }): Promise<Job> {
    const row = this.db
      .prepare(
        `INSERT INTO jobs (id, kind, payload, state, created_at) VALUES (?, ?, ?, 'queued', ?)
         RETURNING *`,
      )
      .get(randomUUID(), input.kind, JSON.stringify(input.payload), input.now.toISOString());
    if (!row) throw new Error('store: job insert returned nothing');
    return toJob(row);
  }

  async claimJob(input: { owner: string; now: Date; leaseMs: number }): Promise<Job | null> {
    const now = input.now.toISOString();
    const row = this.db
      .prepare(
        `UPDATE jobs SET state = 'running', owner = ?, lease_expires_at = ?, attempts = attempts + 1
         WHERE id = (SELECT id FROM jobs
                     WHERE state = 'queued' OR (state = 'running' AND lease_expires_at <= ?)
                     ORDER BY created_at LIMIT 1)
         RETURNING *`,
      )
      .get(input.owner, new Date(input.now.getTime() + input.leaseMs).toISOString(), now);
    return row ? toJob(row) : null;
  }

  async renewJobLease(id: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND owner = ? AND state = 'running'`,
      )
      .run(new Date(now.getTime() + leaseMs).toISOString(), id, owner);
    return Number(result.changes) === 1;
  }

  async finishJob(
    id: string,
    owner: string,
    state: 'done' | 'failed',
    error?: string,
  ): Promise<void> {
    this.db
      .prepare(
        `UPDATE jobs SET state = ?, error = ?, lease_expires_at = NULL
         WHERE id = ? AND owner = ? AND state = 'running'`,
      )
      .run(state, error ?? null, id, owner);
  }

  async getJob(id: string): Promise<Job | null> {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id);
    return row ? toJob(row) : null;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const valid = AuditEntry.parse(entry);
    this.db
      .prepare(
        'INSERT INTO audit_log (at, incident_id, event, actor, details) VALUES (?, ?, ?, ?, ?)',
      )
      .run(valid.at, valid.incident_id, valid.event, valid.actor, JSON.stringify(valid.details));
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const where = filter.incidentId ? 'WHERE incident_id = ?' : '';
    const params: SQLInputValue[] = filter.incidentId ? [filter.incidentId] : [];
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT ?`)
      .all(...params, filter.limit ?? -1);
    return rows.map((row) =>
      AuditEntry.parse({
        at: text(row, 'at'),
        incident_id: text(row, 'incident_id'),
        event: text(row, 'event'),
        actor: text(row, 'actor'),
        details: JSON.parse(text(row, 'details')),
      }),
    );
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
