import { randomUUID } from 'node:crypto';
import type { AlertGroup, Coordination } from '../ports.ts';
import { AlertGroupRow, decode } from '../rows.ts';
import type { PostgresDatabase } from './database.ts';

const toGroup = (row: unknown): AlertGroup => decode(AlertGroupRow, 'alert_groups', row);

export class PostgresCoordination implements Coordination {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async claim(key: string, now: Date, ttlMs: number): Promise<boolean> {
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    // Insert, or take over an expired claim; a live claim makes the WHERE false and changes
    // nothing. Concurrent inserts of one key wait for the first and then see its live claim.
    const changed = await this.db.changed(
      `INSERT INTO claims (key, expires_at) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE claims.expires_at <= $3`,
      [key, expires, now.toISOString()],
    );
    return changed === 1;
  }

  async held(key: string, now: Date): Promise<boolean> {
    const row = await this.db.one(
      'SELECT 1 AS held FROM claims WHERE key = $1 AND expires_at > $2::timestamptz',
      [key, now.toISOString()],
    );
    return row !== null;
  }

  async reserveSlot(key: string, now: Date, intervalMs: number): Promise<Date> {
    // Whole milliseconds, as the SQLite store's Date arithmetic keeps them.
    const step = Math.trunc(intervalMs);
    // One statement takes max(next_at, now) and advances it under the row's lock: concurrent
    // callers, on any replica, each get their own slot. The slot is where next_at was moved from.
    const row = await this.db.one(
      `INSERT INTO pacing (key, next_at)
       VALUES ($1, $2::timestamptz + $3::double precision * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE
         SET next_at = GREATEST(pacing.next_at, $2::timestamptz) + $3::double precision * interval '1 millisecond'
       RETURNING next_at`,
      [key, now.toISOString(), step],
    );
    const nextAt = row?.next_at;
    if (!(nextAt instanceof Date)) throw new Error('store: pacing upsert returned no time');
    return new Date(nextAt.getTime() - step);
  }

  async joinAlertGroup(input: {
    key: string;
    now: Date;
    windowMs: number;
    place: string;
  }): Promise<{ opened: boolean; group: AlertGroup }> {
    const openedAfter = new Date(input.now.getTime() - input.windowMs).toISOString();
    return this.db.transaction(async (tx) => {
      // Without the lock, two first alerts would both find no group and both open one.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('alert-group:' || $1))`, [input.key]);
      const joined = await this.db.one(
        `UPDATE alert_groups SET count = count + 1
         WHERE id = (SELECT id FROM alert_groups WHERE key = $1 AND opened_at > $2
                     ORDER BY opened_at DESC LIMIT 1)
         RETURNING *`,
        [input.key, openedAfter],
        tx,
      );
      if (joined) return { opened: false, group: toGroup(joined) };
      const created = await this.db.one(
        `INSERT INTO alert_groups (id, key, opened_at, count, place)
         VALUES ($1, $2, $3, 1, $4) RETURNING *`,
        [randomUUID(), input.key, input.now.toISOString(), input.place],
        tx,
      );
      return { opened: true, group: toGroup(created) };
    });
  }

  async getAlertGroup(id: string): Promise<AlertGroup | null> {
    const row = await this.db.one('SELECT * FROM alert_groups WHERE id = $1', [id]);
    return row ? toGroup(row) : null;
  }

  async setAlertGroupIncident(groupId: string, incidentId: string): Promise<void> {
    await this.db.changed('UPDATE alert_groups SET incident_id = $1 WHERE id = $2', [
      incidentId,
      groupId,
    ]);
  }

  async setAlertGroupCounter(
    groupId: string,
    counter: string,
    reportedCount: number,
  ): Promise<void> {
    await this.db.changed(
      `UPDATE alert_groups SET counter_ref = $1, reported_count = GREATEST(reported_count, $2)
       WHERE id = $3`,
      [counter, reportedCount, groupId],
    );
  }
}
