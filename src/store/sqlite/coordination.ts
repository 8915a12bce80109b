import { randomUUID } from 'node:crypto';
import type { AlertGroup, Coordination, Storm } from '../ports.ts';
import { AlertGroupRow, DEFAULT_LOOKBACK_MS, decode, StormRow } from '../rows.ts';
import type { SqliteDatabase } from './database.ts';

const toGroup = (row: unknown): AlertGroup => decode(AlertGroupRow, 'alert_groups', row);
const toStorm = (row: unknown): Storm => decode(StormRow, 'storms', row);

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

  async forgetExpiredClaims(now: Date, max: number): Promise<number> {
    const result = this.db
      .prepare(
        'DELETE FROM claims WHERE key IN (SELECT key FROM claims WHERE expires_at <= ? LIMIT ?)',
      )
      .run(now.toISOString(), max);
    return Number(result.changes);
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
    place: string | null;
    aliases?: readonly string[];
    lookbackMs?: number;
  }): Promise<{ opened: boolean; group: AlertGroup; previous?: AlertGroup | null }> {
    const now = input.now.toISOString();
    const openedAfter = new Date(input.now.getTime() - input.windowMs).toISOString();
    const lookback = new Date(
      input.now.getTime() - (input.lookbackMs ?? DEFAULT_LOOKBACK_MS),
    ).toISOString();
    const aliases = [...new Set(input.aliases ?? [])];
    return this.database.transaction(() => {
      const byAlias = this.newestWithAlias(aliases, lookback, 'open');
      const target =
        byAlias ??
        (this.db
          .prepare(
            `SELECT id FROM alert_groups WHERE key = ? AND opened_at > ? AND resolved_at IS NULL
             ORDER BY opened_at DESC LIMIT 1`,
          )
          .get(input.key, openedAfter)?.id as string | undefined);
      if (target) {
        const joined = this.db
          .prepare('UPDATE alert_groups SET count = count + 1 WHERE id = ? RETURNING *')
          .get(target);
        this.addAliases(target, aliases, now);
        return { opened: false, group: toGroup(joined) };
      }
      const previousId =
        this.newestWithAlias(aliases, lookback, 'resolved') ??
        (this.db
          .prepare(
            `SELECT id FROM alert_groups WHERE key = ? AND opened_at > ? AND resolved_at IS NOT NULL
             ORDER BY opened_at DESC LIMIT 1`,
          )
          .get(input.key, lookback)?.id as string | undefined);
      const previous = previousId
        ? toGroup(this.db.prepare('SELECT * FROM alert_groups WHERE id = ?').get(previousId))
        : null;
      const created = this.db
        .prepare(
          `INSERT INTO alert_groups (id, key, opened_at, count, place) VALUES (?, ?, ?, 1, ?)
           RETURNING *`,
        )
        .get(randomUUID(), input.key, now, input.place);
      const group = toGroup(created);
      this.addAliases(group.id, aliases, now);
      return { opened: true, group, previous };
    });
  }

  /** The newest group (open or resolved) holding one of `aliases`, opened after `after`. */
  private newestWithAlias(
    aliases: readonly string[],
    after: string,
    which: 'open' | 'resolved',
  ): string | undefined {
    if (aliases.length === 0) return undefined;
    const marks = aliases.map(() => '?').join(', ');
    const row = this.db
      .prepare(
        `SELECT g.id FROM alert_aliases a JOIN alert_groups g ON g.id = a.group_id
         WHERE a.alias IN (${marks}) AND g.opened_at > ?
           AND g.resolved_at IS ${which === 'open' ? '' : 'NOT '}NULL
         ORDER BY g.opened_at DESC LIMIT 1`,
      )
      .get(...aliases, after);
    return row?.id as string | undefined;
  }

  private addAliases(groupId: string, aliases: readonly string[], at: string): void {
    const insert = this.db.prepare(
      'INSERT INTO alert_aliases (alias, group_id, opened_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    for (const alias of aliases) insert.run(alias, groupId, at);
  }

  async resolveAlertGroup(input: {
    key: string | null;
    aliases: readonly string[];
    now: Date;
    lookbackMs: number;
  }): Promise<AlertGroup | null> {
    const lookback = new Date(input.now.getTime() - input.lookbackMs).toISOString();
    return this.database.transaction(() => {
      const target =
        this.newestWithAlias(input.aliases, lookback, 'open') ??
        (input.key
          ? (this.db
              .prepare(
                `SELECT id FROM alert_groups WHERE key = ? AND opened_at > ? AND resolved_at IS NULL
                 ORDER BY opened_at DESC LIMIT 1`,
              )
              .get(input.key, lookback)?.id as string | undefined)
          : undefined);
      if (!target) return null;
      const row = this.db
        .prepare(
          'UPDATE alert_groups SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL RETURNING *',
        )
        .get(input.now.toISOString(), target);
      return row ? toGroup(row) : null;
    });
  }

  async openAlertGroupOf(incidentId: string): Promise<AlertGroup | null> {
    const row = this.db
      .prepare(
        `SELECT * FROM alert_groups WHERE incident_id = ? AND resolved_at IS NULL
         ORDER BY opened_at DESC LIMIT 1`,
      )
      .get(incidentId);
    return row ? toGroup(row) : null;
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

  private storm(id: string): Storm {
    return toStorm(
      this.db
        .prepare(
          `SELECT s.*, (SELECT COUNT(*) FROM storm_members m WHERE m.storm_id = s.id) AS members,
             (SELECT json_group_array(json(servers)) FROM
               (SELECT servers FROM storm_members m WHERE m.storm_id = s.id ORDER BY joined_at, rowid))
               AS servers
           FROM storms s WHERE s.id = ?`,
        )
        .get(id),
    );
  }

  async joinStorm(input: {
    cause: string;
    incidentId: string;
    servers: readonly string[];
    now: Date;
    windowMs: number;
  }): Promise<{ opened: boolean; storm: Storm }> {
    const now = input.now.toISOString();
    const openedAfter = new Date(input.now.getTime() - input.windowMs).toISOString();
    return this.database.transaction(() => {
      const already = this.db
        .prepare('SELECT storm_id FROM storm_members WHERE incident_id = ?')
        .get(input.incidentId)?.storm_id as string | undefined;
      if (already) {
        const storm = this.storm(already);
        return { opened: storm.parentIncidentId === input.incidentId, storm };
      }
      const open = this.db
        .prepare(
          `SELECT id FROM storms WHERE cause = ? AND opened_at > ? AND resolved_at IS NULL
           ORDER BY opened_at DESC LIMIT 1`,
        )
        .get(input.cause, openedAfter)?.id as string | undefined;
      const id = open ?? randomUUID();
      if (!open)
        this.db
          .prepare(
            'INSERT INTO storms (id, cause, opened_at, parent_incident_id) VALUES (?, ?, ?, ?)',
          )
          .run(id, input.cause, now, input.incidentId);
      this.db
        .prepare(
          'INSERT INTO storm_members (incident_id, storm_id, servers, joined_at) VALUES (?, ?, ?, ?)',
        )
        .run(input.incidentId, id, JSON.stringify(input.servers), now);
      return { opened: !open, storm: this.storm(id) };
    });
  }

  async stormOf(incidentId: string): Promise<Storm | null> {
    const id = this.db
      .prepare('SELECT storm_id FROM storm_members WHERE incident_id = ?')
      .get(incidentId)?.storm_id as string | undefined;
    return id ? this.storm(id) : null;
  }

  async resolveStormMember(
    incidentId: string,
    now: Date,
  ): Promise<{ storm: Storm; unresolved: number; changed: boolean } | null> {
    const at = now.toISOString();
    return this.database.transaction(() => {
      const id = this.db
        .prepare('SELECT storm_id FROM storm_members WHERE incident_id = ?')
        .get(incidentId)?.storm_id as string | undefined;
      if (!id) return null;
      const changed =
        Number(
          this.db
            .prepare(
              'UPDATE storm_members SET resolved_at = ? WHERE incident_id = ? AND resolved_at IS NULL',
            )
            .run(at, incidentId).changes,
        ) === 1;
      const unresolved = Number(
        this.db
          .prepare(
            'SELECT COUNT(*) AS n FROM storm_members WHERE storm_id = ? AND resolved_at IS NULL',
          )
          .get(id)?.n ?? 0,
      );
      if (unresolved === 0)
        this.db
          .prepare('UPDATE storms SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL')
          .run(at, id);
      return { storm: this.storm(id), unresolved, changed };
    });
  }
}
