import { randomUUID } from 'node:crypto';
import type { AlertGroup, Coordination } from '../ports.ts';
import { AlertGroupRow, decode } from '../rows.ts';
import type { SqliteDatabase } from './database.ts';

const toGroup = (row: unknown): AlertGroup => decode(AlertGroupRow, 'alert_groups', row);

export class SqliteCoordination implements Coordination {
  private readonly database: SqliteDatabase;
  private readonly db: SqliteDatabase['db'];

  constructor(database: SqliteDatabase) {
    this.database = database;
    this.db = database.db;
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

  async held(key: string, now: Date): Promise<boolean> {
    const row = this.db
      .prepare('SELECT 1 AS held FROM claims WHERE key = ? AND expires_at > ?')
      .get(key, now.toISOString());
    return row !== undefined;
  }

  async reserveSlot(key: string, now: Date, intervalMs: number): Promise<Date> {
    return this.database.transaction(() => {
      const row = this.db.prepare('SELECT next_at FROM pacing WHERE key = ?').get(key);
      const nextAt = typeof row?.next_at === 'string' ? Date.parse(row.next_at) : 0;
      const free = Math.max(nextAt, now.getTime());
      this.db
        .prepare(
          `INSERT INTO pacing (key, next_at) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET next_at = excluded.next_at`,
        )
        .run(key, new Date(free + intervalMs).toISOString());
      return new Date(free);
    });
  }

  async joinAlertGroup(input: {
    key: string;
    now: Date;
    windowMs: number;
    place: string;
  }): Promise<{ opened: boolean; group: AlertGroup }> {
    const openedAfter = new Date(input.now.getTime() - input.windowMs).toISOString();
    return this.database.transaction(() => {
      const joined = this.db
        .prepare(
          `UPDATE alert_groups SET count = count + 1
           WHERE id = (SELECT id FROM alert_groups WHERE key = ? AND opened_at > ?
                       ORDER BY opened_at DESC LIMIT 1)
           RETURNING *`,
        )
        .get(input.key, openedAfter);
      if (joined) return { opened: false, group: toGroup(joined) };
      const created = this.db
        .prepare(
          `INSERT INTO alert_groups (id, key, opened_at, count, place) VALUES (?, ?, ?, 1, ?)
           RETURNING *`,
        )
        .get(randomUUID(), input.key, input.now.toISOString(), input.place);
      return { opened: true, group: toGroup(created) };
    });
  }

  async getAlertGroup(id: string): Promise<AlertGroup | null> {
    const row = this.db.prepare('SELECT * FROM alert_groups WHERE id = ?').get(id);
    return row ? toGroup(row) : null;
  }

  async setAlertGroupIncident(groupId: string, incidentId: string): Promise<void> {
    this.db
      .prepare('UPDATE alert_groups SET incident_id = ? WHERE id = ?')
      .run(incidentId, groupId);
  }

  async setAlertGroupCounter(
    groupId: string,
    counter: string,
    reportedCount: number,
  ): Promise<void> {
    this.db
      .prepare(
        `UPDATE alert_groups SET counter_ref = ?, reported_count = MAX(reported_count, ?)
         WHERE id = ?`,
      )
      .run(counter, reportedCount, groupId);
  }
}
