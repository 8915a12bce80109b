import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/env.ts';
import { openStore } from '../../src/root/runtime.ts';
import type { Store } from '../../src/store/ports.ts';
import { POSTGRES_MIGRATIONS, PostgresStore } from '../../src/store/postgres/index.ts';
import { auditEntry } from '../support/audit.ts';
import { sampleBrief } from '../support/brief.ts';
import {
  dropFreshSchemas,
  freshPostgresSchema,
  freshPostgresStore,
  freshSchemaName,
  requirePostgres,
  TEST_DATABASE_URL,
  withClient,
} from '../support/postgres.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { describeStoreConformance } from './conformance.ts';
import { describeMemoryConformance } from './conformance-memory.ts';

// Fails the whole file, saying how to start PostgreSQL, rather than skipping it.
await requirePostgres();

afterEach(dropFreshSchemas);

describeStoreConformance('PostgresStore', async () => (await freshPostgresStore()).store);
describeMemoryConformance('PostgresStore', async () => (await freshPostgresStore()).store);

const t0 = new Date('2025-03-01T09:00:00.000Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

describe('PostgresStore: migrations', () => {
  it('applies each migration once when five replicas open one schema at once, and again later', async () => {
    const schema = freshSchemaName();
    const stores = await Promise.all(
      [1, 2, 3, 4, 5].map(() => PostgresStore.open(TEST_DATABASE_URL, { schema })),
    );
    const [first, second] = stores;
    const incident = await first?.incidents.create({ source: 'cli', report: 'x', now: t0 });
    expect(incident && (await second?.incidents.get(incident.id))?.report).toBe('x');
    await Promise.all(stores.map((s) => s.close()));

    const reopened = await PostgresStore.open(TEST_DATABASE_URL, { schema });
    expect(incident && (await reopened.incidents.get(incident.id))?.report).toBe('x');
    await reopened.close();

    const versions = await withClient(schema, async (c) =>
      (await c.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map(
        (r) => r.version,
      ),
    );
    expect(versions).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
  });

  it('carries incidents and alert groups written before assessments over (migration 2)', async () => {
    const { schema, url } = await freshPostgresSchema();
    const legacy = sampleBrief('INC-0000LEGA', t0.toISOString());
    await withClient(schema, async (c) => {
      await c.query(
        'CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const [first] = POSTGRES_MIGRATIONS;
      await c.query(first?.sql ?? '');
      await c.query('INSERT INTO schema_migrations (version) VALUES (1)');
      await c.query(
        `INSERT INTO incidents (id, created_at, source, report, brief, thread)
         VALUES ('INC-0000LEGA', $1, 'slack', 'r', $2::jsonb, $3::jsonb)`,
        [
          t0.toISOString(),
          JSON.stringify(legacy),
          JSON.stringify({ channel: 'C0OPS', threadTs: '1.1', messageTs: null }),
        ],
      );
      await c.query(
        `INSERT INTO alert_groups (id, key, opened_at, count, thread)
         VALUES ('g1', 'servers:web-1', $1, 2, $2::jsonb)`,
        [
          t0.toISOString(),
          JSON.stringify({ channel: 'C0ALERTS', threadTs: '2.1', messageTs: null }),
        ],
      );
    });
    const store = await PostgresStore.open(url);
    try {
      const incident = await store.incidents.get('INC-0000LEGA');
      expect(incident?.presentation).toEqual({ place: 'slack:C0OPS:1.1', message: null });
      expect(incident?.assessment?.ownership).toEqual(legacy.escalationPackage.ownership);
      expect(await store.coordination.getAlertGroup('g1')).toMatchObject({
        place: 'slack:C0ALERTS:2.1',
        counter: null,
      });
      // Migration 3 indexes what stored incidents are about, so memory finds them too.
      for (const subject of ['payment-server-01', 'payments'])
        expect(
          (
            await store.incidents.findBySubjects({
              subjects: [subject],
              since: minutes(-1),
              limit: 5,
            })
          ).map((i) => i.id),
        ).toEqual(['INC-0000LEGA']);
    } finally {
      await store.close();
    }
  });

  it('keeps times as timestamptz and documents as jsonb', async () => {
    const { store, schema } = await freshPostgresStore();
    await store.close();
    const types = await withClient(null, async (c) => {
      const result = await c.query(
        `SELECT table_name || '.' || column_name AS col, data_type FROM information_schema.columns
         WHERE table_schema = $1`,
        [schema],
      );
      return Object.fromEntries(result.rows.map((r) => [r.col, r.data_type]));
    });
    for (const col of [
      'incidents.created_at',
      'proposals.created_at',
      'proposals.expires_at',
      'proposals.decided_at',
      'proposals.executed_at',
      'audit_log.at',
      'claims.expires_at',
      'alert_groups.opened_at',
      'jobs.lease_expires_at',
      'jobs.created_at',
      'pacing.next_at',
    ])
      expect(types[col], col).toBe('timestamp with time zone');
    for (const col of [
      'incidents.assessment',
      'proposals.before_health',
      'proposals.after_health',
      'audit_log.details',
      'jobs.payload',
    ])
      expect(types[col], col).toBe('jsonb');
  });

  it('refuses a schema name it would have to quote', async () => {
    await expect(
      PostgresStore.open(TEST_DATABASE_URL, { schema: 'x"; DROP SCHEMA public; --' }),
    ).rejects.toThrow(/schema name/);
  });

  it('close is safe to call twice', async () => {
    const { store } = await freshPostgresStore();
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('PostgresStore: the audit log is append-only for every client', () => {
  it('rejects UPDATE, DELETE and TRUNCATE from a plain connection', async () => {
    const { store, schema } = await freshPostgresStore();
    await store.audit.append(
      auditEntry('restart.executed', { at: t0.toISOString(), incident_id: 'INC-A' }),
    );
    await store.close();

    await withClient(schema, async (c) => {
      await expect(c.query("UPDATE audit_log SET actor = 'someone-else'")).rejects.toThrow(
        /audit_log is append-only/,
      );
      await expect(c.query('DELETE FROM audit_log')).rejects.toThrow(/audit_log is append-only/);
      await expect(c.query('TRUNCATE audit_log')).rejects.toThrow(/audit_log is append-only/);
      // Appending stays allowed.
      await c.query(
        `INSERT INTO audit_log (at, incident_id, event, actor, details)
         VALUES (now(), 'INC-B', 'incident.opened', 'cli:ana', '{}')`,
      );
      const rows = await c.query('SELECT actor FROM audit_log ORDER BY seq');
      expect(rows.rows).toEqual([{ actor: 'operator' }, { actor: 'cli:ana' }]);
    });
  });
});

describe('PostgresStore: two replicas (separate pools) on one database', () => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  const replicas = async (): Promise<[PostgresStore, PostgresStore]> => {
    const { store: a, schema } = await freshPostgresStore();
    const b = await PostgresStore.open(TEST_DATABASE_URL, { schema });
    open.push(a, b);
    return [a, b];
  };

  /** `n` calls at once, alternating between the replicas. */
  const across = <T>(
    pair: [PostgresStore, PostgresStore],
    n: number,
    call: (store: PostgresStore, i: number) => Promise<T>,
  ) => Promise.all(Array.from({ length: n }, (_, i) => call(pair[i % 2] as PostgresStore, i)));

  const proposalFor = async (store: Store, serverId: string) => {
    const incident = await store.incidents.create({ source: 'slack', report: 'r', now: t0 });
    return store.proposals.create({
      incidentId: incident.id,
      serverId,
      reason: 'cpu 98%',
      expiresAt: minutes(30),
      now: t0,
    });
  };

  it('approves at most the budget: 20 approvals of 10 proposals for one server, budget 1', async () => {
    const pair = await replicas();
    const proposals = await Promise.all(
      Array.from({ length: 10 }, () => proposalFor(pair[0], 'payment-server-01')),
    );
    const attempts = await across(pair, 20, (store, i) =>
      store.proposals.approve(proposals[i % 10]?.id ?? '', {
        decidedBy: `U${i}`,
        decidedAt: t0,
        budget: 1,
        since: minutes(-30),
      }),
    );
    const count = (outcome: string) => attempts.filter((a) => a.outcome === outcome).length;
    expect(count('approved')).toBe(1);
    // The winner's twin click finds it decided; every other proposal finds the budget used.
    expect(count('not_pending')).toBe(1);
    expect(count('budget_used')).toBe(18);
    const states = await Promise.all(
      proposals.map(async (p) => (await pair[1].proposals.get(p.id))?.state),
    );
    expect(states.filter((s) => s === 'approved')).toHaveLength(1);
    expect(await pair[1].proposals.countRestarts('payment-server-01', minutes(-30))).toBe(1);
  });

  it('approves up to a budget of 3, and other servers are not held back', async () => {
    const pair = await replicas();
    const web = await Promise.all(Array.from({ length: 8 }, () => proposalFor(pair[0], 'web-1')));
    const db = await proposalFor(pair[1], 'db-1');
    const approve = (store: PostgresStore, id: string) =>
      store.proposals.approve(id, {
        decidedBy: 'U1',
        decidedAt: t0,
        budget: 3,
        since: minutes(-30),
      });
    const [attempts, other] = await Promise.all([
      across(pair, 8, (store, i) => approve(store, web[i]?.id ?? '')),
      approve(pair[0], db.id),
    ]);
    expect(attempts.filter((a) => a.outcome === 'approved')).toHaveLength(3);
    expect(attempts.filter((a) => a.outcome === 'budget_used')).toHaveLength(5);
    expect(other.outcome).toBe('approved');
  });

  it('lets one of many concurrent transitions from pending win', async () => {
    const pair = await replicas();
    const p = await proposalFor(pair[0], 'web-1');
    const results = await across(pair, 10, (store, i) =>
      store.proposals.transition(p.id, ['pending'], i % 3 ? 'approved' : 'denied', {
        decidedBy: `U${i}`,
        decidedAt: t0,
      }),
    );
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect((await pair[1].proposals.get(p.id))?.decidedBy).toBe(winners[0]?.decidedBy);
  });

  it('gives a claim to one caller, and an expired claim to one taker', async () => {
    const pair = await replicas();
    const first = await across(pair, 10, (store) =>
      store.coordination.claim('event:Ev1', t0, 60_000),
    );
    expect(first.filter(Boolean)).toHaveLength(1);
    const later = await across(pair, 10, (store) =>
      store.coordination.claim('event:Ev1', minutes(2), 60_000),
    );
    expect(later.filter(Boolean)).toHaveLength(1);
  });

  it('opens one alert group for concurrent repeats of a new alert', async () => {
    const pair = await replicas();
    const joins = await across(pair, 12, (store, i) =>
      store.coordination.joinAlertGroup({
        key: 'servers:cache-1',
        now: t0,
        windowMs: 60_000,
        place: `thread-3.${i}`,
      }),
    );
    const opened = joins.filter((j) => j.opened);
    expect(opened).toHaveLength(1);
    expect(new Set(joins.map((j) => j.group.id)).size).toBe(1);
    expect((await pair[0].coordination.getAlertGroup(opened[0]?.group.id ?? ''))?.count).toBe(12);
  });

  it('never leases one job twice', async () => {
    const pair = await replicas();
    const jobs = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        pair[n % 2]?.jobs.enqueue({ kind: 'investigate', payload: { n }, now: minutes(n) }),
      ),
    );
    const claims = await across(pair, 30, (store, i) =>
      store.jobs.claim({ owner: `r${i}`, now: minutes(20), leaseMs: 60_000 }),
    );
    const leased = claims.flatMap((c) => (c ? [c.id] : []));
    expect(leased).toHaveLength(10);
    expect(new Set(leased)).toEqual(new Set(jobs.map((j) => j?.id)));
    for (const c of claims) if (c) expect(c.attempts).toBe(1);
  });

  it('paces one key for both replicas', async () => {
    const pair = await replicas();
    const slots = await across(pair, 10, (store) =>
      store.coordination.reserveSlot('slack:C1', t0, 1000),
    );
    const offsets = slots.map((d) => d.getTime() - t0.getTime()).sort((x, y) => x - y);
    expect(offsets).toEqual(Array.from({ length: 10 }, (_, i) => i * 1000));
  });

  it("lets one poster become an incident's message", async () => {
    const pair = await replicas();
    const incident = await pair[0].incidents.create({
      source: 'slack',
      report: 'r',
      now: t0,
      presentation: { place: 'thread-1', message: null },
    });
    const results = await across(pair, 6, (store, i) =>
      store.incidents.claimPresentation(incident.id, { place: 'thread-1', message: `m-${i}` }),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await pair[1].incidents.get(incident.id))?.presentation?.message).toBe(
      `m-${results.indexOf(true)}`,
    );
  });
});

describe('openStore with DATABASE_URL', () => {
  it('opens the PostgreSQL store the URL names, migrated', async () => {
    const { schema, url } = await freshPostgresSchema();
    const store = await openStore(parseConfig({ DATABASE_URL: url }));
    try {
      expect(store.kind).toBe('postgres');
      const incident = await store.incidents.create({ source: 'cli', report: 'x', now: t0 });
      expect((await store.incidents.get(incident.id))?.report).toBe('x');
    } finally {
      await store.close();
    }
    // It landed in the schema the URL selected, not in public.
    const count = await withClient(schema, async (c) =>
      Number((await c.query('SELECT count(*) AS n FROM incidents')).rows[0]?.n),
    );
    expect(count).toBe(1);
  });

  const refusal = async (url: string): Promise<Error> => {
    const error = await openStore(parseConfig({ DATABASE_URL: url })).then(
      () => new Error('openStore should have failed'),
      (e: unknown) => e,
    );
    if (!(error instanceof Error)) throw new Error('openStore rejected with a non-error');
    // Neither the message nor anything a logger would print of the error holds the password.
    expect(inspect(error, { depth: 10 })).not.toContain('s3cret-pw');
    expect(JSON.stringify(error)).not.toContain('s3cret-pw');
    return error;
  };

  it('says which host and port it cannot reach, and never the password', async () => {
    expect((await refusal('postgres://postgres:s3cret-pw@127.0.0.1:1/test')).message).toBe(
      'cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED): check DATABASE_URL',
    );
    expect(
      (await refusal('postgresql://postgres@127.0.0.1:1/test?password=s3cret-pw')).message,
    ).toBe('cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED): check DATABASE_URL');
  });

  it('says what the server refused', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.password = 's3cret-pw';
    url.pathname = '/lzo_no_such_database';
    expect((await refusal(url.toString())).message).toMatch(
      /^PostgreSQL at .+:\d+ refused the connection: database "lzo_no_such_database" does not exist \(3D000\): check DATABASE_URL$/,
    );
  });

  it('says a malformed URL is malformed, without repeating it', async () => {
    expect((await refusal('postgres://postgres:s3cret-pw@[::1/test')).message).toBe(
      'the PostgreSQL URL is not a valid postgres:// URL: check DATABASE_URL',
    );
  });
});

describe('PostgresStore: a partition that drops packets', () => {
  it('fails a query that goes unanswered instead of waiting for the kernel, and works again once the network heals', async () => {
    const { schema } = await freshPostgresSchema();
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await TcpProxy.start({
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    const via = new URL(TEST_DATABASE_URL);
    via.host = `127.0.0.1:${proxy.port}`;
    const store = await PostgresStore.open(via.toString(), { schema, queryTimeoutMs: 500 });
    try {
      const incident = await store.incidents.create({ source: 'cli', report: 'x', now: t0 });
      proxy.stall();
      await expect(store.incidents.get(incident.id)).rejects.toThrow(/timeout/i);
      proxy.restore();
      expect((await store.incidents.get(incident.id))?.report).toBe('x');
      expect(await store.coordination.claim('event:after-partition', t0, 60_000)).toBe(true);
    } finally {
      await store.close();
      await proxy.close();
    }
  });
});
