import { randomUUID } from 'node:crypto';
import type { Job, JobQueue } from '../ports.ts';
import { decode, JobRow, jsonText } from '../rows.ts';
import type { SqliteDatabase } from './database.ts';

const toJob = (row: unknown): Job => decode(JobRow, 'jobs', row);

export class SqliteJobs implements JobQueue {
  private readonly db: SqliteDatabase['db'];

  constructor(database: SqliteDatabase) {
    this.db = database.db;
  }

  async enqueue(input: { kind: string; payload: unknown; now: Date }): Promise<Job> {
    const row = this.db
      .prepare(
        `INSERT INTO jobs (id, kind, payload, state, created_at) VALUES (?, ?, ?, 'queued', ?)
         RETURNING *`,
      )
      .get(randomUUID(), input.kind, jsonText(input.payload), input.now.toISOString());
    return toJob(row);
  }

  async claim(input: { owner: string; now: Date; leaseMs: number }): Promise<Job | null> {
    const row = this.db
      .prepare(
        `UPDATE jobs SET state = 'running', owner = ?, lease_expires_at = ?, attempts = attempts + 1
         WHERE id = (SELECT id FROM jobs
                     WHERE state = 'queued' OR (state = 'running' AND lease_expires_at <= ?)
                     ORDER BY created_at LIMIT 1)
         RETURNING *`,
      )
      .get(
        input.owner,
        new Date(input.now.getTime() + input.leaseMs).toISOString(),
        input.now.toISOString(),
      );
    return row ? toJob(row) : null;
  }

  async renew(id: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND owner = ? AND state = 'running'`,
      )
      .run(new Date(now.getTime() + leaseMs).toISOString(), id, owner);
    return Number(result.changes) === 1;
  }

  async finish(id: string, owner: string, state: 'done' | 'failed', error?: string): Promise<void> {
    this.db
      .prepare(
        `UPDATE jobs SET state = ?, error = ?, lease_expires_at = NULL
         WHERE id = ? AND owner = ? AND state = 'running'`,
      )
      .run(state, error ?? null, id, owner);
  }

  async get(id: string): Promise<Job | null> {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id);
    return row ? toJob(row) : null;
  }
}
