import { randomUUID } from 'node:crypto';
import type { Job, JobQueue } from '../ports.ts';
import { decode, JobRow, jsonText } from '../rows.ts';
import type { PostgresDatabase } from './database.ts';

const toJob = (row: unknown): Job => decode(JobRow, 'jobs', row);

export class PostgresJobs implements JobQueue {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async enqueue(input: { kind: string; payload: unknown; now: Date }): Promise<Job> {
    const row = await this.db.one(
      `INSERT INTO jobs (id, kind, payload, state, created_at)
       VALUES ($1, $2, $3::jsonb, 'queued', $4) RETURNING *`,
      [randomUUID(), input.kind, jsonText(input.payload), input.now.toISOString()],
    );
    return toJob(row);
  }

  async claim(input: { owner: string; now: Date; leaseMs: number }): Promise<Job | null> {
    // SKIP LOCKED: a job another claimer is taking is passed over rather than waited for, and a
    // job it took is re-checked after its commit and no longer matches.
    const row = await this.db.one(
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

  async renew(id: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const changed = await this.db.changed(
      `UPDATE jobs SET lease_expires_at = $1 WHERE id = $2 AND owner = $3 AND state = 'running'`,
      [new Date(now.getTime() + leaseMs).toISOString(), id, owner],
    );
    return changed === 1;
  }

  async finish(id: string, owner: string, state: 'done' | 'failed', error?: string): Promise<void> {
    await this.db.changed(
      `UPDATE jobs SET state = $1, error = $2, lease_expires_at = NULL
       WHERE id = $3 AND owner = $4 AND state = 'running'`,
      [state, error ?? null, id, owner],
    );
  }

  async get(id: string): Promise<Job | null> {
    const row = await this.db.one('SELECT * FROM jobs WHERE id = $1', [id]);
    return row ? toJob(row) : null;
  }
}
