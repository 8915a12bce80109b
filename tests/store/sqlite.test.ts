import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS, SqliteStore } from '../../src/store/sqlite.ts';
import { describeStoreConformance } from './conformance.ts';

describeStoreConformance('SqliteStore (:memory:)', async () => SqliteStore.open(':memory:'));

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
    const incident = await first.createIncident({ source: 'cli', report: 'x', now: new Date(at) });
    await first.appendAudit({
      at,
      incident_id: incident.id,
      event: 'incident.opened',
      actor: 'cli:ana',
      details: {},
    });
    await first.close();

    const second = SqliteStore.open({ dataDir: nested });
    const third = SqliteStore.open({ dataDir: nested });
    expect((await second.getIncident(incident.id))?.report).toBe('x');
    expect(await third.listAudit()).toHaveLength(1);
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
    await store.appendAudit({
      at,
      incident_id: 'INC-A',
      event: 'restart.executed',
      actor: 'operator',
      details: { server_id: 'payment-server-01' },
    });
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
    const incident = await a.createIncident({ source: 'slack', report: 'r', now: new Date(at) });
    const p = await a.createProposal({
      incidentId: incident.id,
      serverId: 'payment-server-01',
      reason: 'cpu',
      expiresAt: new Date(Date.parse(at) + 30 * 60_000),
      now: new Date(at),
    });
    expect(
      await a.transitionProposal(p.id, ['pending'], 'approved', { decidedBy: 'U1' }),
    ).not.toBeNull();
    expect(
      await b.transitionProposal(p.id, ['pending'], 'approved', { decidedBy: 'U2' }),
    ).toBeNull();
    expect((await b.getProposal(p.id))?.decidedBy).toBe('U1');
    await a.close();
    await b.close();
  });

  it('close is safe to call twice', async () => {
    const store = SqliteStore.open(':memory:');
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
