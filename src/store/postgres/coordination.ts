import { randomUUID } from 'node:crypto';
import type { AlertGroup, Coordination, Storm } from '../ports.ts';
import { AlertGroupRow, DEFAULT_LOOKBACK_MS, decode, jsonText, StormRow } from '../rows.ts';
import type { PostgresDatabase, Queryable } from './database.ts';

const toGroup = (row: unknown): AlertGroup => decode(AlertGroupRow, 'alert_groups', row);
const toStorm = (row: unknown): Storm => decode(StormRow, 'storms', row);

/**
 * Joins an open alert group: the newest one holding an alias ($3) opened within the lookback ($4),
 * else the newest one for the key ($1) opened within the window ($2); counts the alert and adds
 * the new aliases to it (at $5). No row when there was none to join.
 */
const JOIN_GROUP = `WITH target AS (
           SELECT id FROM (
             SELECT g.id, 0 AS rank, g.opened_at FROM alert_aliases a
               JOIN alert_groups g ON g.id = a.group_id
               WHERE a.alias = ANY($3::text[]) AND g.opened_at > $4 AND g.resolved_at IS NULL
             UNION ALL
             SELECT id, 1, opened_at FROM alert_groups
               WHERE key = $1 AND opened_at > $2 AND resolved_at IS NULL
           ) found ORDER BY rank, opened_at DESC LIMIT 1
         ), joined AS (
           UPDATE alert_groups SET count = count + 1
             WHERE id = (SELECT id FROM target) AND resolved_at IS NULL RETURNING *
         ), added AS (
           INSERT INTO alert_aliases (alias, group_id, opened_at)
             SELECT alias, joined.id, $5 FROM joined, unnest($3::text[]) AS alias
             ON CONFLICT DO NOTHING
         )
         SELECT * FROM joined`;

export class PostgresCoordination implements Coordination {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async claim(key: string, now: Date, ttlMs: number): Promise<boolean> {
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    // Insert, or take over an expired claim; a live claim makes the WHERE false and changes
    // nothing. Concurrent inserts of one key wait for the first and then see its live claim.
    const { count } = await this.db.prepared(
      'lzo-claim',
      `INSERT INTO claims (key, expires_at) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE claims.expires_at <= $3`,
      [key, expires, now.toISOString()],
    );
    return count === 1;
  }

  async held(key: string, now: Date): Promise<boolean> {
    const row = await this.db.one(
      'SELECT 1 AS held FROM claims WHERE key = $1 AND expires_at > $2::timestamptz',
      [key, now.toISOString()],
    );
    return row !== null;
  }

  async forgetExpiredClaims(now: Date, max: number): Promise<number> {
    // SKIP LOCKED: replicas sweeping at once delete different rows instead of waiting on each other.
    return this.db.changed(
      `DELETE FROM claims WHERE key IN (
         SELECT key FROM claims WHERE expires_at <= $1::timestamptz LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [now.toISOString(), max],
    );
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
    const params = [input.key, openedAfter, aliases, lookback, now];
    // A repeat (most alerts of a storm) joins in one statement, without a lock: the UPDATE counts it
    // atomically. Only when there is no group to join do replicas take turns, so that two first
    // alerts open one group.
    const fast = (await this.db.prepared('lzo-join-alert-group', JOIN_GROUP, params)).row;
    if (fast) return { opened: false, group: toGroup(fast) };
    return this.db.transaction(async (tx) => {
      // Without the lock, two first alerts would both find no group and both open one.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('alert-group:' || $1))`, [input.key]);
      const joined = (await this.db.prepared('lzo-join-alert-group', JOIN_GROUP, params, tx)).row;
      if (joined) return { opened: false, group: toGroup(joined) };
      const previous = await this.db.one(
        `SELECT * FROM (
           SELECT g.*, 0 AS rank FROM alert_aliases a JOIN alert_groups g ON g.id = a.group_id
             WHERE a.alias = ANY($2::text[]) AND g.opened_at > $3 AND g.resolved_at IS NOT NULL
           UNION ALL
           SELECT g.*, 1 FROM alert_groups g
             WHERE g.key = $1 AND g.opened_at > $3 AND g.resolved_at IS NOT NULL
         ) found ORDER BY rank, opened_at DESC LIMIT 1`,
        [input.key, aliases, lookback],
        tx,
      );
      const created = await this.db.one(
        `WITH created AS (
           INSERT INTO alert_groups (id, key, opened_at, count, place)
             VALUES ($1, $2, $3, 1, $4) RETURNING *
         ), added AS (
           INSERT INTO alert_aliases (alias, group_id, opened_at)
             SELECT alias, created.id, $3 FROM created, unnest($5::text[]) AS alias
             ON CONFLICT DO NOTHING
         )
         SELECT * FROM created`,
        [randomUUID(), input.key, now, input.place, aliases],
        tx,
      );
      return {
        opened: true,
        group: toGroup(created),
        previous: previous ? toGroup(previous) : null,
      };
    });
  }

  async resolveAlertGroup(input: {
    key: string | null;
    aliases: readonly string[];
    now: Date;
    lookbackMs: number;
  }): Promise<AlertGroup | null> {
    const lookback = new Date(input.now.getTime() - input.lookbackMs).toISOString();
    // The UPDATE's WHERE re-checks resolved_at under the row lock: one caller wins.
    const row = await this.db.one(
      `WITH target AS (
         SELECT id FROM (
           SELECT g.id, 0 AS rank, g.opened_at FROM alert_aliases a
             JOIN alert_groups g ON g.id = a.group_id
             WHERE a.alias = ANY($2::text[]) AND g.opened_at > $3 AND g.resolved_at IS NULL
           UNION ALL
           SELECT id, 1, opened_at FROM alert_groups
             WHERE $1::text IS NOT NULL AND key = $1 AND opened_at > $3 AND resolved_at IS NULL
         ) found ORDER BY rank, opened_at DESC LIMIT 1
       )
       UPDATE alert_groups SET resolved_at = $4
         WHERE id = (SELECT id FROM target) AND resolved_at IS NULL RETURNING *`,
      [input.key, [...input.aliases], lookback, input.now.toISOString()],
    );
    return row ? toGroup(row) : null;
  }

  async openAlertGroupOf(incidentId: string): Promise<AlertGroup | null> {
    const row = await this.db.one(
      `SELECT * FROM alert_groups WHERE incident_id = $1 AND resolved_at IS NULL
       ORDER BY opened_at DESC LIMIT 1`,
      [incidentId],
    );
    return row ? toGroup(row) : null;
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

  private async storm(id: string, tx?: Queryable): Promise<Storm> {
    const row = await this.db.one(
      `SELECT s.*,
         (SELECT COUNT(*) FROM storm_members m WHERE m.storm_id = s.id) AS members,
         (SELECT COALESCE(jsonb_agg(m.servers ORDER BY m.joined_at, m.incident_id), '[]'::jsonb)
            FROM storm_members m WHERE m.storm_id = s.id) AS servers
       FROM storms s WHERE s.id = $1`,
      [id],
      tx,
    );
    return toStorm(row);
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
    return this.db.transaction(async (tx) => {
      // Replicas folding incidents of one cause take turns: exactly one opens the storm.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('storm:' || $1))`, [input.cause]);
      const already = await this.db.one(
        'SELECT storm_id FROM storm_members WHERE incident_id = $1',
        [input.incidentId],
        tx,
      );
      if (typeof already?.storm_id === 'string') {
        const storm = await this.storm(already.storm_id, tx);
        return { opened: storm.parentIncidentId === input.incidentId, storm };
      }
      const open = await this.db.one(
        `SELECT id FROM storms WHERE cause = $1 AND opened_at > $2 AND resolved_at IS NULL
         ORDER BY opened_at DESC LIMIT 1`,
        [input.cause, openedAfter],
        tx,
      );
      const id = typeof open?.id === 'string' ? open.id : randomUUID();
      if (!open)
        await tx.query(
          'INSERT INTO storms (id, cause, opened_at, parent_incident_id) VALUES ($1, $2, $3, $4)',
          [id, input.cause, now, input.incidentId],
        );
      await tx.query(
        `INSERT INTO storm_members (incident_id, storm_id, servers, joined_at)
         VALUES ($1, $2, $3::jsonb, $4)`,
        [input.incidentId, id, jsonText(input.servers), now],
      );
      return { opened: !open, storm: await this.storm(id, tx) };
    });
  }

  async stormOf(incidentId: string): Promise<Storm | null> {
    const row = await this.db.one('SELECT storm_id FROM storm_members WHERE incident_id = $1', [
      incidentId,
    ]);
    return typeof row?.storm_id === 'string' ? this.storm(row.storm_id) : null;
  }

  async resolveStormMember(
    incidentId: string,
    now: Date,
  ): Promise<{ storm: Storm; unresolved: number; changed: boolean } | null> {
    const at = now.toISOString();
    return this.db.transaction(async (tx) => {
      const member = await this.db.one(
        'SELECT storm_id FROM storm_members WHERE incident_id = $1 FOR UPDATE',
        [incidentId],
        tx,
      );
      if (typeof member?.storm_id !== 'string') return null;
      const id = member.storm_id;
      // Members of one storm resolve one at a time, so exactly one sees the last one go.
      await tx.query('SELECT id FROM storms WHERE id = $1 FOR UPDATE', [id]);
      const changed =
        ((
          await tx.query(
            'UPDATE storm_members SET resolved_at = $1 WHERE incident_id = $2 AND resolved_at IS NULL',
            [at, incidentId],
          )
        ).rowCount ?? 0) === 1;
      const count = await this.db.one(
        'SELECT COUNT(*) AS n FROM storm_members WHERE storm_id = $1 AND resolved_at IS NULL',
        [id],
        tx,
      );
      const unresolved = Number(count?.n ?? 0);
      if (unresolved === 0)
        await tx.query('UPDATE storms SET resolved_at = $1 WHERE id = $2 AND resolved_at IS NULL', [
          at,
          id,
        ]);
      return { storm: await this.storm(id, tx), unresolved, changed };
    });
  }
}
