import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS, SqliteStore } from '../../src/store/sqlite/index.ts';
import { auditEntry } from '../support/audit.ts';
import { sampleBrief } from '../support/brief.ts';
import { describeStoreConformance } from './conformance.ts';
import { describeMemoryConformance } from './conformance-memory.ts';

describeStoreConformance('SqliteStore (:memory:)', async () => SqliteStore.open(':memory:'));
describeMemoryConformance('SqliteStore (:memory:)', async () => SqliteStore.open(':memory:'));

describe('SqliteStore on disk', () => {
  let dataDir: string;
  const at = '2025-03-01T09:00:00.000Z';

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'lzo-store-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates DATA_DIR and keeps data across reopening (migrations are idempotent)', async () => {
    const nested = join(dataDir, 'a', 'b');
    const first = SqliteStore.open({ dataDir: nested });
    const incident = await first.incidents.create({
      source: 'cli',
      report: 'x',
      now: new Date(at),
    });
    await first.audit.append(
      auditEntry('incident.opened', { at, incident_id: incident.id, actor: 'cli:ana' }),
    );
    await first.close();

    const second = SqliteStore.open({ dataDir: nested });
    const third = SqliteStore.open({ dataDir: nested });
    expect((await second.incidents.get(incident.id))?.report).toBe('x');
    expect(await third.audit.list()).toHaveLength(1);
    await second.close();
    await third.close();

    const db = new DatabaseSync(join(nested, 'operator.db'));
    const versions = db.prepare('SELECT version FROM schema_migrations').all();
    db.close();
    // Each migration applied exactly once, however often the store was opened.
    expect(versions).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version })));
  });

  it('the database itself refuses UPDATE and DELETE on the audit log', async () => {
    const store = SqliteStore.open({ dataDir });
    await store.audit.append(auditEntry('restart.executed', { at, incident_id: 'INC-A' }));
    await store.close();

    const db = new DatabaseSync(join(dataDir, 'operator.db'));
    try {
      expect(() => db.exec("UPDATE audit_log SET actor = 'someone-else'")).toThrow(
        /audit_log is append-only/,
      );
      expect(() => db.exec('DELETE FROM audit_log')).toThrow(/audit_log is append-only/);
      expect(db.prepare('SELECT actor FROM audit_log').all()).toEqual([{ actor: 'operator' }]);
    } finally {
      db.close();
    }
  });

  it('a second process sees a proposal decided by the first (shared file, one compare-and-set)', async () => {
    const a = SqliteStore.open({ dataDir });
    const b = SqliteStore.open({ dataDir });
    const incident = await a.incidents.create({ source: 'slack', report: 'r', now: new Date(at) });
    const p = await a.proposals.create({
      incidentId: incident.id,
      serverId: 'payment-server-01',
      reason: 'cpu',
      expiresAt: new Date(Date.parse(at) + 30 * 60_000),
      now: new Date(at),
    });
    expect(
      await a.proposals.transition(p.id, ['pending'], 'approved', { decidedBy: 'U1' }),
    ).not.toBeNull();
    expect(
      await b.proposals.transition(p.id, ['pending'], 'approved', { decidedBy: 'U2' }),
    ).toBeNull();
    expect((await b.proposals.get(p.id))?.decidedBy).toBe('U1');
    await a.close();
    await b.close();
  });

  it('carries incidents and alert groups written before assessments over (migration 4)', async () => {
    const db = new DatabaseSync(join(dataDir, 'operator.db'));
    db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    for (const m of SQLITE_MIGRATIONS.filter((m) => m.version <= 3)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(m.version, at);
    }
    const legacy = sampleBrief('INC-0000LEGA', at);
    db.prepare(
      'INSERT INTO incidents (id, created_at, source, report, brief, thread) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      'INC-0000LEGA',
      at,
      'slack',
      legacy.report,
      JSON.stringify(legacy),
      JSON.stringify({
        channel: 'C0OPS',
        threadTs: '1700000000.000100',
        messageTs: '1700000000.000200',
      }),
    );
    db.prepare(
      `INSERT INTO alert_groups (id, key, opened_at, count, thread, counter_ts)
       VALUES ('g1', 'servers:web-1', ?, 3, ?, '1700000000.000300')`,
    ).run(
      at,
      JSON.stringify({ channel: 'C0ALERTS', threadTs: '1700000000.000100', messageTs: null }),
    );
    db.close();

    const store = SqliteStore.open({ dataDir });
    const incident = await store.incidents.get('INC-0000LEGA');
    expect(incident?.presentation).toEqual({
      place: 'slack:C0OPS:1700000000.000100',
      message: 'slack:C0OPS:1700000000.000200',
    });
    expect(incident?.assessment).toMatchObject({
      title: legacy.title,
      ownership: legacy.escalationPackage.ownership,
      impact: legacy.escalationPackage.impact,
    });
    expect(await store.coordination.getAlertGroup('g1')).toMatchObject({
      place: 'slack:C0ALERTS:1700000000.000100',
      counter: 'slack:C0ALERTS:1700000000.000300',
      count: 3,
    });
    // Migration 5 indexes what stored incidents are about, so memory finds them too.
    const since = new Date('2025-01-01T00:00:00.000Z');
    for (const subject of ['payment-server-01', 'payments'])
      expect(
        (await store.incidents.findBySubjects({ subjects: [subject], since, limit: 5 })).map(
          (i) => i.id,
        ),
      ).toEqual(['INC-0000LEGA']);
    expect((await store.incidents.findByPlace('slack:C0OPS:1700000000.000100'))?.id).toBe(
      'INC-0000LEGA',
    );
    await store.close();
  });

  it('close is safe to call twice', async () => {
    const store = SqliteStore.open(':memory:');
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
