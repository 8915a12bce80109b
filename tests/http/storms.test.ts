import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryOf, AuditEventName } from '../../src/domain/audit.ts';
import type { Store } from '../../src/store/ports.ts';
import { PostgresStore } from '../../src/store/postgres/index.ts';
import type { FleetFile } from '../../src/tools/fleet/format.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import { shown } from '../slack/e2e-support.ts';
import { ALERTS, type BotHarness, startBot } from '../slack/harness.ts';
import {
  dropFreshSchemas,
  freshSchemaName,
  requirePostgres,
  TEST_DATABASE_URL,
} from '../support/postgres.ts';
import { until } from '../support/slack-parts.ts';
import { alertmanager, HOOKS, postAlert, TOKEN } from './support.ts';

/**
 * Storms folded by cause, on the real bot: alerts about many servers that share one failing
 * dependency become one parent incident with one live summary and one escalation; alerts with
 * different causes stay apart; the folding is the store's, so it holds across replicas and
 * restarts.
 */

const ES_SERVERS = Array.from({ length: 8 }, (_, i) => `search-${String(i + 1).padStart(2, '0')}`);

/** Eight search servers that cannot reach one Elasticsearch, two API servers whose database is down. */
const FLEET: FleetFile = {
  environment: 'prod',
  changes: [],
  servers: {
    ...Object.fromEntries(
      ES_SERVERS.map((id) => [
        id,
        {
          service: `search-${id.slice(-2)}`,
          health: { cpu: 12, memory: 20, status: 'error' as const },
          logs: [
            '[INFO] Indexing started',
            '[ERROR] Connection refused: elastic-cluster-main:9200',
            `[ERROR] Failed to write document ID ${id.length * 1000}`,
          ],
        },
      ]),
    ),
    'orders-api-01': {
      service: 'orders',
      health: { cpu: 9, memory: 30, status: 'error' as const },
      logs: ['[ERROR] Connection refused: orders-db.internal:5432', '[ERROR] Retrying in 30s...'],
    },
    'orders-api-02': {
      service: 'orders',
      health: { cpu: 11, memory: 31, status: 'error' as const },
      logs: ['[ERROR] Connection refused: orders-db.internal:5432'],
    },
    'payment-server-01': {
      service: 'payments',
      health: { cpu: 98, memory: 40, status: 'warning' as const },
      logs: [
        '[WARN] CPU threshold exceeded 90%',
        '[CRITICAL] Process hung, not accepting new connections',
      ],
      after_restart: { health: { cpu: 30, memory: 38, status: 'healthy' as const }, logs: [] },
    },
  },
};

const open: BotHarness[] = [];
async function bot(options: { store?: Store; slack?: FakeSlack; replica?: string } = {}) {
  const h = await startBot({
    fleet: FLEET,
    env: { ALERT_WEBHOOK_TOKEN: TOKEN, ALERT_WEBHOOK_CHANNEL: HOOKS },
    ...options,
  });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const down = (server: string, fingerprint = `fp-${server}`) =>
  alertmanager(
    'firing',
    { alertname: 'ServiceErrors', instance: `${server}:9100`, severity: 'critical' },
    { summary: `${server} is failing requests` },
    fingerprint,
  );

async function events<E extends AuditEventName>(
  store: Store,
  event: E,
): Promise<AuditEntryOf<E>[]> {
  return (await store.audit.list()).filter((e): e is AuditEntryOf<E> => e.event === event);
}

/** Every investigation done: a brief posted or a fold recorded for each incident opened. */
async function settled(store: Store, incidents: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const opened = await events(store, 'incident.opened');
    const assessed = await Promise.all(opened.map((e) => store.incidents.get(e.incident_id)));
    if (opened.length >= incidents && assessed.every((i) => i?.assessment)) return;
    if (Date.now() > deadline)
      throw new Error(
        `only ${assessed.filter((i) => i?.assessment).length}/${incidents} investigated`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

const briefs = (slack: FakeSlack, channel: string) =>
  slack
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === channel && /"header"/.test(shown(c)));

describe('storms folded by cause', () => {
  it('eight servers failing on one dependency: one parent incident, one escalation, one live summary', async () => {
    const h = await bot();
    const answers = await Promise.all(ES_SERVERS.map((s) => postAlert(h, 'alertmanager', down(s))));
    expect(answers.map((a) => a.status)).toEqual(ES_SERVERS.map(() => 202));
    await settled(h.store, ES_SERVERS.length);

    const folded = await events(h.store, 'incident.linked');
    const into = folded.filter((e) => e.details.relation === 'folded_into');
    expect(into).toHaveLength(ES_SERVERS.length - 1);
    const parents = new Set(into.map((e) => e.details.linked_incident_id));
    expect(parents.size).toBe(1);
    const [parent] = [...parents];
    expect(
      folded.filter((e) => e.details.relation === 'folded_from' && e.incident_id === parent),
    ).toHaveLength(ES_SERVERS.length - 1);
    expect(into[0]?.details.reason).toBe('connection refused to elastic-cluster-main:9200');

    // One escalation (the parent's), no restart proposals, one brief in the webhook channel.
    await until(async () => (await events(h.store, 'escalation.sent')).length > 0);
    await new Promise((r) => setTimeout(r, 200));
    const escalations = await events(h.store, 'escalation.sent');
    expect(escalations.map((e) => e.incident_id)).toEqual([parent]);
    expect(await events(h.store, 'proposal.created')).toEqual([]);
    await h.slack.waitFor((s) => briefs(s, HOOKS).length > 0, 5_000);
    expect(briefs(h.slack, HOOKS)).toHaveLength(1);

    // The parent's brief says what the storm is, kept current by edits of that one message.
    const summary =
      /8 servers report connection refused to elastic-cluster-main:9200 — escalating the dependency, not restarting 8 servers/;
    await h.slack.waitFor(
      (s) =>
        [...s.callsTo('chat.postMessage'), ...s.callsTo('chat.update')].some((c) =>
          summary.test(shown(c)),
        ),
      8_000,
      'the storm summary',
    );
    const parentBrief = briefs(h.slack, HOOKS)[0];
    const summarised = [
      ...h.slack.callsTo('chat.postMessage'),
      ...h.slack.callsTo('chat.update'),
    ].filter((c) => summary.test(shown(c)));
    expect(summarised.every((c) => (c.args.ts ?? c.result?.ts) === parentBrief?.result?.ts)).toBe(
      true,
    );
  });

  it('the storm resolves with its last incident: each member resolved, the parent last, one postmortem', async () => {
    const h = await bot();
    const servers = ES_SERVERS.slice(0, 3);
    for (const s of servers) await postAlert(h, 'alertmanager', down(s));
    await settled(h.store, servers.length);
    const parent = (await events(h.store, 'incident.linked')).find(
      (e) => e.details.relation === 'folded_into',
    )?.details.linked_incident_id;
    const up = (server: string) =>
      alertmanager(
        'resolved',
        { alertname: 'ServiceErrors', instance: `${server}:9100`, severity: 'critical' },
        { summary: `${server} is failing requests` },
        `fp-${server}`,
      );
    const opened = await events(h.store, 'incident.opened');
    const incidentOf = (server: string) =>
      opened.find((e) => e.details.report.includes(`instance=${server}:9100`))?.incident_id;
    const parentServer = servers.find((s) => incidentOf(s) === parent) ?? '';
    const others = servers.filter((s) => s !== parentServer);
    const resolvedIds = async () =>
      (await events(h.store, 'incident.resolved')).map((e) => e.incident_id);
    // The parent's own alert first: it stays open while others of its storm still fire.
    expect((await postAlert(h, 'alertmanager', up(parentServer))).json).toMatchObject({
      resolved: 1,
    });
    expect(await resolvedIds()).toEqual([]);
    for (const [i, s] of others.entries()) {
      await postAlert(h, 'alertmanager', up(s));
      expect(await resolvedIds()).toContain(incidentOf(s));
      expect((await resolvedIds()).includes(parent ?? '')).toBe(i === others.length - 1);
    }
    const resolved = await events(h.store, 'incident.resolved');
    expect(resolved).toHaveLength(servers.length);
    expect(resolved.find((e) => e.incident_id === parent)?.details.via).toBe('storm');
    await until(async () => (await events(h.store, 'postmortem.drafted')).length > 0);
    await new Promise((r) => setTimeout(r, 200));
    expect((await events(h.store, 'postmortem.drafted')).map((e) => e.incident_id)).toEqual([
      parent,
    ]);
  });

  it('two unrelated failures at once stay two incidents, two escalations', async () => {
    const h = await bot();
    await Promise.all([
      postAlert(h, 'alertmanager', down('search-01')),
      postAlert(h, 'alertmanager', down('orders-api-01')),
      postAlert(h, 'alertmanager', down('search-02')),
      postAlert(h, 'alertmanager', down('orders-api-02')),
    ]);
    await settled(h.store, 4);
    const into = (await events(h.store, 'incident.linked')).filter(
      (e) => e.details.relation === 'folded_into',
    );
    expect(into.map((e) => e.details.reason).sort()).toEqual([
      'connection refused to elastic-cluster-main:9200',
      'connection refused to orders-db.internal:5432',
    ]);
    expect(new Set(into.map((e) => e.details.linked_incident_id)).size).toBe(2);
    await until(async () => (await events(h.store, 'escalation.sent')).length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(await events(h.store, 'escalation.sent')).toHaveLength(2);
  });

  it('a restart that would help is never folded: a hot server stays its own incident with its proposal', async () => {
    const h = await bot();
    await Promise.all([
      postAlert(h, 'alertmanager', down('search-01')),
      postAlert(h, 'alertmanager', down('payment-server-01')),
      postAlert(h, 'alertmanager', down('search-02')),
    ]);
    await settled(h.store, 3);
    const proposals = await events(h.store, 'proposal.created');
    expect(proposals.map((p) => p.details.server_id)).toEqual(['payment-server-01']);
    const foldedIds = (await events(h.store, 'incident.linked')).map((e) => e.incident_id);
    expect(foldedIds).not.toContain(proposals[0]?.incident_id);
  });

  it('in an alert channel each folded alert gets a 🔗 and one short reply pointing to the parent', async () => {
    const h = await bot();
    const alertMessage = (server: string, ts: string) => ({
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B0ALERTS',
      channel: ALERTS,
      ts,
      text: `[FIRING:1] ServiceErrors (${server}:9100 critical)`,
    });
    await Promise.all(
      ES_SERVERS.slice(0, 4).map((s, i) => h.event(alertMessage(s, `1700004000.00010${i}`))),
    );
    await settled(h.store, 4);
    await h.slack.waitFor(
      (s) =>
        s.callsTo('chat.postMessage').filter((c) => /Same cause as/.test(shown(c))).length === 3,
      8_000,
      'three pointers',
    );
    const reactions = h.slack.callsTo('reactions.add').map((c) => c.args.name);
    expect(reactions.filter((r) => r === 'eyes')).toHaveLength(4);
    expect(reactions.filter((r) => r === 'link')).toHaveLength(3);
    // One brief for the four alerts; every other message is one short pointer per folded alert.
    expect(briefs(h.slack, ALERTS)).toHaveLength(1);
    const pointers = h.slack
      .callsTo('chat.postMessage')
      .filter((c) => /Same cause as/.test(shown(c)));
    expect(new Set(pointers.map((c) => c.args.thread_ts)).size).toBe(3);
  });
});

describe('storms across replicas and restarts (PostgreSQL)', () => {
  beforeAll(async () => {
    await requirePostgres();
  });
  afterAll(async () => {
    await dropFreshSchemas();
  });

  it('two replicas taking the alerts in turn fold them into one parent; a replica started later still folds into it', async () => {
    const schema = freshSchemaName();
    const slack = await FakeSlack.start();
    // Each replica its own pool on one schema: they share nothing but the database.
    const openStore = () => PostgresStore.open(TEST_DATABASE_URL, { schema });
    try {
      const a = await bot({ store: await openStore(), slack, replica: 'a' });
      const b = await bot({ store: await openStore(), slack, replica: 'b' });
      const first = ES_SERVERS.slice(0, 6);
      await Promise.all(first.map((s, i) => postAlert(i % 2 ? b : a, 'alertmanager', down(s))));
      await settled(a.store, first.length);
      const into = async (store: Store = a.store) =>
        (await events(store, 'incident.linked')).filter(
          (e) => e.details.relation === 'folded_into',
        );
      expect(await into()).toHaveLength(first.length - 1);
      const parents = new Set((await into()).map((e) => e.details.linked_incident_id));
      expect(parents.size).toBe(1);

      // Both replicas go away; a new one, on the same store, folds the next alert of that cause.
      await Promise.all(open.splice(0).map((h) => h.close()));
      const c = await bot({ store: await openStore(), slack, replica: 'c' });
      await postAlert(c, 'alertmanager', down('search-07'));
      await settled(c.store, first.length + 1);
      const later = await into(c.store);
      expect(later).toHaveLength(first.length);
      expect(new Set(later.map((e) => e.details.linked_incident_id))).toEqual(parents);
      await until(async () => (await events(c.store, 'escalation.sent')).length > 0);
      expect((await events(c.store, 'escalation.sent')).map((e) => e.incident_id)).toEqual([
        ...parents,
      ]);
    } finally {
      await Promise.all(open.splice(0).map((h) => h.close()));
      await slack.close();
    }
  });
});
