import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/env.ts';
import type { Assessment } from '../../../src/domain/brief.ts';
import { investigationMessage } from '../../../src/operator/decision/planners/prompt.ts';
import type { Signal } from '../../../src/operator/decision/signals/index.ts';
import { MEMORY_LIMITS, recall } from '../../../src/operator/memory/recall.ts';
import { memorySummary } from '../../../src/operator/memory/words.ts';
import { createRuntime } from '../../../src/root/runtime.ts';
import type { Store } from '../../../src/store/ports.ts';
import { SqliteStore } from '../../../src/store/sqlite/index.ts';
import { SimulatedFleet } from '../../../src/tools/fleet/simulated.ts';
import { LocalEscalator } from '../../../src/tools/local-escalator.ts';
import { ToolSession } from '../../../src/tools/session.ts';
import { ManualClock } from '../../../testing/clock.ts';
import { sampleAssessment } from '../../support/brief.ts';
import { backendsOf, seedFleet } from '../../support/fleet.ts';
import { dropFreshSchemas, freshPostgresStore, requirePostgres } from '../../support/postgres.ts';
import { APPROVER, ApproverList } from '../../support/runtime.ts';

await requirePostgres();
afterEach(dropFreshSchemas);

const NOW = new Date('2025-03-01T09:00:00.000Z');
const daysAgo = (d: number, plusMinutes = 0) =>
  new Date(NOW.getTime() - d * 86_400_000 + plusMinutes * 60_000);

const SERVICES = new Map<string, string | null>([
  ['payment-server-01', 'payments'],
  ['payment-server-02', 'payments'],
  ['auth-service-03', 'auth'],
]);

const sig = (id: Signal['id'], subject: string): Signal => ({
  id,
  subject,
  evidence: ['E2'],
  detail: 'Process hung, not accepting new connections',
});

/** A past incident as the store would hold it: assessment, and optionally a restart and its outcome. */
async function past(
  store: Store,
  options: {
    at: Date;
    server: string;
    signals: Signal['id'][];
    restart?: 'recovered' | 'not_recovered' | 'denied' | 'pending';
    restartAfterMinutes?: number;
    action?: Assessment['action'];
  },
): Promise<string> {
  const incident = await store.incidents.create({
    source: 'slack',
    report: `${options.server} is slow`,
    now: options.at,
  });
  const base = sampleAssessment(options.at.toISOString());
  await store.incidents.saveAssessment(incident.id, {
    ...base,
    title: `${options.server}: hung process`,
    servers: [options.server],
    action: options.action ?? (options.restart ? 'restart' : 'escalate'),
    ownership: { ...base.ownership, service: SERVICES.get(options.server) ?? null },
    signals: options.signals.map((id) => ({ id, subject: options.server, detail: 'x' })),
  });
  if (options.restart) {
    const p = await store.proposals.create({
      incidentId: incident.id,
      serverId: options.server,
      reason: 'hung',
      now: options.at,
      expiresAt: new Date(options.at.getTime() + 30 * 60_000),
    });
    if (options.restart === 'denied')
      await store.proposals.transition(p.id, ['pending'], 'denied', { decidedBy: APPROVER });
    if (options.restart === 'recovered' || options.restart === 'not_recovered') {
      const executedAt = new Date(
        options.at.getTime() + (options.restartAfterMinutes ?? 2) * 60_000,
      );
      await store.proposals.transition(p.id, ['pending'], 'approved', {
        decidedBy: APPROVER,
        decidedAt: executedAt,
      });
      await store.proposals.transition(p.id, ['approved'], 'executed', { executedAt });
      await store.proposals.transition(p.id, ['executed'], options.restart);
    }
  }
  return incident.id;
}

const STORES: [string, () => Promise<Store>][] = [
  ['SQLite', async () => SqliteStore.open(':memory:')],
  ['PostgreSQL', async () => (await freshPostgresStore()).store],
];

describe.each(STORES)('memory of past incidents (%s store)', (_name, makeStore) => {
  it('finds incidents on the same server or service with the same signature, within 90 days, and how they ended', async () => {
    const store = await makeStore();
    try {
      const fixed = await past(store, {
        at: daysAgo(3),
        server: 'payment-server-01',
        signals: ['hung_process', 'high_cpu'],
        restart: 'recovered',
        restartAfterMinutes: 2,
      });
      const sibling = await past(store, {
        at: daysAgo(20),
        server: 'payment-server-02',
        signals: ['hung_process'],
        action: 'escalate',
      });
      const older = await past(store, {
        at: daysAgo(60),
        server: 'payment-server-01',
        signals: ['hung_process'],
        restart: 'denied',
      });
      // Not similar: another signature on the same server, the same signature elsewhere, too old.
      await past(store, { at: daysAgo(1), server: 'payment-server-01', signals: ['disk_full'] });
      await past(store, { at: daysAgo(2), server: 'auth-service-03', signals: ['hung_process'] });
      await past(store, {
        at: daysAgo(MEMORY_LIMITS.windowDays + 1),
        server: 'payment-server-01',
        signals: ['hung_process'],
        restart: 'recovered',
      });
      const current = await store.incidents.create({ source: 'slack', report: 'now', now: NOW });

      const memory = await recall(store, {
        incidentId: current.id,
        servers: [{ id: 'payment-server-01', service: 'payments', environment: 'prod' }],
        signals: [sig('hung_process', 'payment-server-01'), sig('recent_change', 'payments')],
        serviceOf: SERVICES,
        now: NOW,
      });
      expect(memory?.similar.map((p) => p.incidentId)).toEqual([fixed, sibling, older]);
      expect(memory).toMatchObject({ seenLast30Days: 2, seenInWindow: 3, chronic: null });
      expect(memory?.similar[0]).toMatchObject({
        subjects: ['payment-server-01'],
        signals: ['hung_process'],
        outcome: 'restart_recovered',
        minutesToRecovery: 2,
        restartedServer: 'payment-server-01',
      });
      expect(memory?.similar[1]).toMatchObject({ subjects: ['payments'], outcome: 'escalated' });
      expect(memory?.similar[2]).toMatchObject({ outcome: 'restart_denied' });
      expect(memorySummary(memory)).toBe(
        `Seen 2× in the last 30 days (3× in 90) on payment-server-01 with the same signature (hung or unresponsive process); last time a restart fixed it in 2 min — ${fixed}`,
      );

      // Nothing abnormal now, or nothing in scope: nothing to compare.
      expect(
        await recall(store, {
          incidentId: current.id,
          servers: [{ id: 'payment-server-01', service: 'payments', environment: 'prod' }],
          signals: [sig('recent_change', 'payments')],
          serviceOf: SERVICES,
          now: NOW,
        }),
      ).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('chronic: a server restarted again and again for the same signature keeps the proposal and escalates alongside it', async () => {
    const store = await makeStore();
    try {
      const clock = new ManualClock(NOW);
      const escalator = new LocalEscalator();
      const runtime = await createRuntime(parseConfig({ LOG_LEVEL: 'silent' }), {
        store,
        backends: backendsOf(SimulatedFleet.fromFleet(seedFleet(), clock)),
        escalator,
        approvers: new ApproverList([APPROVER]),
        clock,
      });
      const triage = () =>
        runtime.operator.investigate({
          report: 'The payment-server-01 is extremely slow and timing out.',
          source: 'cli',
          actor: 'cli:tester',
        });

      // One earlier restart that fixed it: remembered, not chronic, nothing extra sent.
      const first = await past(store, {
        at: daysAgo(10),
        server: 'payment-server-01',
        signals: ['hung_process'],
        restart: 'recovered',
      });
      const once = await triage();
      expect(once.brief.action).toBe('restart');
      expect(once.brief.memory?.similar.map((p) => p.incidentId)).toEqual([first]);
      expect(once.brief.memory?.chronic).toBeNull();
      expect(once.escalation).toBeNull();
      expect(once.brief.hypotheses.map((h) => h.text).join('\n')).toMatch(
        new RegExp(`Seen 1× in the last 30 days .*a restart fixed it in 2 min — ${first}`),
      );

      // A second earlier restart for the same signature: now it is chronic.
      const second = await past(store, {
        at: daysAgo(5),
        server: 'payment-server-01',
        signals: ['hung_process', 'high_cpu'],
        restart: 'not_recovered',
      });
      const again = await triage();
      expect(again.brief.action).toBe('restart');
      expect(again.proposal?.state).toBe('pending');
      expect(again.brief.memory?.chronic).toMatchObject({
        server: 'payment-server-01',
        signals: ['hung_process'],
        // The triage in between restarted nothing: only the two recorded restarts count.
        restarts: 2,
      });
      expect(again.brief.memory?.chronic?.incidents.sort()).toEqual([first, second].sort());
      expect(again.escalation?.sent).toBe(true);
      expect(escalator.sent.at(-1)?.reason).toMatch(/a restart only buys time/);
      const events = (await store.audit.list({ incidentId: again.brief.incidentId })).map(
        (e) => e.event,
      );
      expect(events).toEqual(expect.arrayContaining(['proposal.created', 'escalation.sent']));
      expect(again.brief.nextActions.join('\n')).toMatch(/a restart only buys time/);
      await runtime.close();
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
  });
});

describe('memory in the model prompt', () => {
  it('lists similar incidents as context, never as evidence', () => {
    const memory = {
      windowDays: 90,
      seenLast30Days: 1,
      seenInWindow: 1,
      similar: [
        {
          incidentId: 'INC-0000PAST',
          at: '2025-02-26T09:00:00.000Z',
          title: 'payment-server-01: hung process',
          subjects: ['payment-server-01'],
          signals: ['hung_process'],
          outcome: 'restart_recovered' as const,
          restartedServer: 'payment-server-01',
          minutesToRecovery: 2,
        },
      ],
      chronic: null,
    };
    const scope = {
      servers: [{ id: 'payment-server-01', service: 'payments', environment: 'prod' as const }],
      unknown: [],
      truncatedFrom: null,
      known: [],
    };
    const message = investigationMessage(
      { environment: 'prod', scope, report: 'slow', session: new ToolSession(), memory },
      4000,
    );
    expect(message).toMatch(
      /Similar past incidents \(our own records; context, not evidence\):\n- INC-0000PAST \(2025-02-26\) on payment-server-01: hung or unresponsive process — a restart fixed it in 2 min/,
    );
    expect(
      investigationMessage(
        { environment: 'prod', scope, report: 'slow', session: new ToolSession() },
        4000,
      ),
    ).not.toMatch(/Similar past incidents/);
  });
});
