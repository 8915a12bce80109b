import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  alertGroupKey,
  Intake,
  type IntakeDeps,
  type IntakeResult,
} from '../../src/operator/intake/intake.ts';
import { INVESTIGATE } from '../../src/operator/jobs/investigation-job.ts';
import { decodeRoute, intakeRequest } from '../../src/slack/thread.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import {
  ALERTS,
  incidentThread,
  OPS,
  PAYMENT_REPORT,
  type SlackParts,
  slackParts,
  slackPresenter,
} from '../support/slack-parts.ts';

/** A Slack delivery as the listeners hand it to the intake. */
type Delivery = Parameters<typeof intakeRequest>[0];

const WINDOW_MS = 15 * 60_000;
const DEDUPE_MS = 60 * 60_000;

let slack: FakeSlack;
let parts: SlackParts;
let wakes: number;
let grouped: string[];

beforeAll(async () => {
  slack = await FakeSlack.start();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(async () => {
  slack.calls.length = 0;
  slack.responses.length = 0;
  parts = await slackParts({ slack });
  wakes = 0;
  grouped = [];
});
afterEach(async () => {
  await parts.close();
});

/** The core intake with the Slack presenter, taking Slack deliveries as the listeners do. */
function intake(overrides: Partial<IntakeDeps> = {}) {
  const core = new Intake({
    store: parts.runtime.store,
    operator: parts.runtime.operator,
    inventory: parts.runtime.backends.inventory,
    presenter: slackPresenter(parts, { onRepeated: (id) => grouped.push(id) }),
    settings: { source: 'slack', groupWindowMs: WINDOW_MS, dedupeTtlMs: DEDUPE_MS },
    wake: () => {
      wakes += 1;
    },
    metrics: parts.metrics,
    logger: parts.logger,
    clock: parts.clock,
    ...overrides,
  });
  return { accept: (delivery: Delivery) => core.accept(intakeRequest(delivery)) };
}

/** Where the accepted incident is presented once its intake returned. */
const threadOf = (result: Extract<IntakeResult, { kind: 'accepted' }>) =>
  incidentThread(parts, result.incidentId);

const routeOf = async (jobId: string) => {
  const job = await parts.runtime.store.jobs.get(jobId);
  return decodeRoute(String((job?.payload as { route?: unknown } | undefined)?.route));
};

const alert = (ts: string, text = PAYMENT_REPORT, extra: Partial<Delivery> = {}) =>
  ({
    origin: 'alert',
    text,
    actor: 'B0GRAFANA',
    channel: ALERTS,
    replyTo: ts,
    messageTs: ts,
    eventId: `Ev-${ts}`,
    ...extra,
  }) satisfies Delivery;

const command = (extra: Partial<Delivery> = {}) =>
  ({
    origin: 'command',
    text: PAYMENT_REPORT,
    actor: 'U0ASKER',
    channel: OPS,
    replyTo: null,
    responseUrl: slack.responseUrl('cmd'),
    ...extra,
  }) satisfies Delivery;

function accepted(result: IntakeResult): Extract<IntakeResult, { kind: 'accepted' }> {
  if (result.kind !== 'accepted') throw new Error(`expected accepted, got ${result.kind}`);
  return result;
}

function groupOf(result: IntakeResult): string {
  if (result.kind !== 'grouped') throw new Error(`expected grouped, got ${result.kind}`);
  return result.groupId;
}

async function incidentsOpened(): Promise<number> {
  const audit = await parts.runtime.store.audit.list();
  return audit.filter((e) => e.event === 'incident.opened').length;
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const found = (await parts.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = found?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return value?.value ?? 0;
}

describe('Intake.accept', () => {
  it('an alert: incident and job stored first, then a reaction on it (no message), then a wake', async () => {
    const result = accepted(await intake().accept(alert('1700000000.000001')));
    // The cheap answer: 👀 on the alert (not awaited); the brief will be the thread's first message.
    await slack.waitFor((s) => s.callsTo('reactions.add').length > 0, 2_000, 'the reaction');
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
    expect(slack.callsTo('reactions.add').map((c) => c.args)).toEqual([
      { channel: ALERTS, timestamp: '1700000000.000001', name: 'eyes' },
    ]);
    expect(await threadOf(result)).toEqual({
      channel: ALERTS,
      threadTs: '1700000000.000001',
      messageTs: null,
    });

    const incident = await parts.runtime.store.incidents.get(result.incidentId);
    expect(incident).toMatchObject({ source: 'slack', report: PAYMENT_REPORT });
    const job = await parts.runtime.store.jobs.get(result.jobId);
    expect(job).toMatchObject({ kind: INVESTIGATE, state: 'queued' });
    expect(job?.payload).toEqual({
      incidentId: result.incidentId,
      actor: 'B0GRAFANA',
      route: expect.any(String),
      groupId: expect.any(String),
      subject: PAYMENT_REPORT,
      fold: true,
    });
    expect(await routeOf(result.jobId)).toEqual({
      channel: ALERTS,
      replyTo: '1700000000.000001',
      responseUrl: null,
      alert: true,
    });
    expect(wakes).toBe(1);
    expect(await metric('lzo_intake_total', { origin: 'alert', result: 'accepted' })).toBe(1);
  });

  it('a slash command: a top-level progress message that is its own thread', async () => {
    const result = accepted(await intake().accept(command()));
    const [post] = slack.callsTo('chat.postMessage');
    expect(post?.args).toMatchObject({ channel: OPS });
    expect(post?.args).not.toHaveProperty('thread_ts');
    const ts = String(post?.result?.ts);
    expect(await threadOf(result)).toEqual({ channel: OPS, threadTs: ts, messageTs: ts });
    const job = await parts.runtime.store.jobs.get(result.jobId);
    expect(job?.payload).toMatchObject({ groupId: null, actor: 'U0ASKER' });
    expect(await routeOf(result.jobId)).toMatchObject({ responseUrl: slack.responseUrl('cmd') });
  });

  it('a retried delivery (same event id) is a duplicate: no second incident, post or job', async () => {
    const sut = intake();
    accepted(await sut.accept(alert('1.000001')));
    expect(await sut.accept(alert('1.000001'))).toEqual({ kind: 'duplicate' });
    expect(await sut.accept({ ...command(), eventId: 'Ev-cmd' })).toMatchObject({
      kind: 'accepted',
    });
    expect(await sut.accept({ ...command(), eventId: 'Ev-cmd' })).toEqual({ kind: 'duplicate' });
    expect(await incidentsOpened()).toBe(2);
    // The command's progress message and the alert's one reaction.
    await slack.waitFor((s) => s.callsTo('reactions.add').length > 0, 2_000, 'the reaction');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(slack.callsTo('reactions.add')).toHaveLength(1);
    expect(wakes).toBe(2);
    expect(grouped).toEqual([]);
    expect(await metric('lzo_intake_total', { origin: 'alert', result: 'duplicate' })).toBe(1);
  });

  it('one message seen as a mention and as a channel message is handled once', async () => {
    const sut = intake();
    const ts = '1700000000.000050';
    const mention: Delivery = {
      origin: 'mention',
      text: PAYMENT_REPORT,
      actor: 'U0HUMAN',
      channel: ALERTS,
      replyTo: ts,
      messageTs: ts,
      eventId: 'Ev-mention',
    };
    accepted(await sut.accept(mention));
    expect(await sut.accept(alert(ts, PAYMENT_REPORT, { eventId: 'Ev-message' }))).toEqual({
      kind: 'duplicate',
    });
    expect(await incidentsOpened()).toBe(1);
  });

  it('forgets an event id after dedupeTtlMs', async () => {
    const sut = intake();
    const request = { ...command(), eventId: 'Ev-old' };
    accepted(await sut.accept(request));
    parts.clock.advanceMs(DEDUPE_MS - 1);
    expect((await sut.accept(request)).kind).toBe('duplicate');
    parts.clock.advanceMs(1);
    expect((await sut.accept(request)).kind).toBe('accepted');
  });

  it('repeats of an alert for the same server within the window join its group', async () => {
    const sut = intake();
    const first = accepted(await sut.accept(alert('1.000001')));
    parts.clock.advanceMinutes(5);
    const second = await sut.accept(alert('1.000002', 'payment-server-01 still slow, p99 4s'));
    parts.clock.advanceMinutes(9);
    const third = await sut.accept(alert('1.000003', 'PAYMENT-SERVER-01 timeouts'));
    const groupId = groupOf(second);
    expect(second).toEqual({ kind: 'grouped', groupId, count: 2, incidentId: first.incidentId });
    expect(third).toEqual({ kind: 'grouped', groupId, count: 3, incidentId: first.incidentId });
    expect(grouped).toEqual([groupId, groupId]);

    // Nothing new: one incident, one reaction and no message yet, one job, one wake.
    await slack.waitFor((s) => s.callsTo('reactions.add').length > 0, 2_000, 'the reaction');
    expect(await incidentsOpened()).toBe(1);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(slack.callsTo('reactions.add')).toHaveLength(1);
    expect(wakes).toBe(1);
    const group = await parts.runtime.store.coordination.getAlertGroup(groupId);
    expect(group).toMatchObject({
      count: 3,
      incidentId: first.incidentId,
      place: `slack:${ALERTS}:1.000001`,
    });
    const job = await parts.runtime.store.jobs.get(first.jobId);
    expect(job?.payload).toMatchObject({ groupId: group?.id });
    expect(await metric('lzo_intake_total', { origin: 'alert', result: 'grouped' })).toBe(2);
  });

  it('after the window a repeat opens a new incident', async () => {
    const sut = intake();
    accepted(await sut.accept(alert('1.000001')));
    parts.clock.advanceMs(WINDOW_MS);
    const later = accepted(await sut.accept(alert('1.000002')));
    expect(await threadOf(later)).toMatchObject({ threadTs: '1.000002' });
    expect(await incidentsOpened()).toBe(2);
    expect(grouped).toEqual([]);
  });

  it('alerts about other servers, mentions and commands are never grouped', async () => {
    const sut = intake();
    accepted(await sut.accept(alert('1.000001')));
    accepted(await sut.accept(alert('1.000002', 'auth-service-03 OutOfMemoryError')));
    const mention: Delivery = {
      origin: 'mention',
      text: PAYMENT_REPORT,
      actor: 'U0HUMAN',
      channel: ALERTS,
      replyTo: '1.000003',
      messageTs: '1.000003',
    };
    accepted(await sut.accept(mention));
    accepted(await sut.accept(command()));
    expect(await incidentsOpened()).toBe(4);
    expect(grouped).toEqual([]);
  });

  it('a slash command in a channel the bot is not in: no thread, the job answers via response_url', async () => {
    slack.fail('chat.postMessage', { error: 'not_in_channel' });
    const result = accepted(await intake().accept(command()));
    expect(await threadOf(result)).toBeNull();
    const job = await parts.runtime.store.jobs.get(result.jobId);
    expect(job).toMatchObject({ state: 'queued' });
    expect(await routeOf(result.jobId)).toMatchObject({
      replyTo: null,
      responseUrl: slack.responseUrl('cmd'),
    });
    expect((await parts.runtime.store.incidents.get(result.incidentId))?.presentation).toBeNull();
    expect(wakes).toBe(1);
    expect(await metric('lzo_slack_errors_total', { error: 'not_in_channel' })).toBe(1);
  });

  it('Slack down (HTTP 500) on the progress post loses nothing: incident and job still made', async () => {
    const sut = intake();
    slack.fail('chat.postMessage', { status: 500 });
    const fromAlert = accepted(await sut.accept(alert('1.000001')));
    // No progress message; the incident keeps the alert's thread and the worker posts there.
    expect(await threadOf(fromAlert)).toEqual({
      channel: ALERTS,
      threadTs: '1.000001',
      messageTs: null,
    });
    expect(await parts.runtime.store.jobs.get(fromAlert.jobId)).toMatchObject({ state: 'queued' });

    slack.fail('chat.postMessage', { status: 500 });
    const fromCommand = accepted(await sut.accept(command()));
    expect(await threadOf(fromCommand)).toBeNull();
    expect(await routeOf(fromCommand.jobId)).toMatchObject({
      replyTo: null,
      responseUrl: slack.responseUrl('cmd'),
    });
    expect(await incidentsOpened()).toBe(2);
    expect(wakes).toBe(2);
  });

  // Bolt has already acked the event: an inventory that cannot be read must not lose the alert.
  it('an alert is not lost when the inventory cannot be read (it groups by wording)', async () => {
    const failing = {
      name: 'catalog',
      listServers: async () => {
        throw new Error('catalog unavailable');
      },
    };
    const sut = intake({ inventory: failing });
    const result = await sut.accept(alert('1.000001')).catch(() => ({ kind: 'lost' as const }));
    expect(result.kind).toBe('accepted');
  });
});

describe('alertGroupKey', () => {
  it('groups by the servers named, in any order', () => {
    expect(alertGroupKey('x', ['b-2', 'a-1'])).toBe('servers:a-1,b-2');
    expect(alertGroupKey('other words', ['a-1', 'b-2'])).toBe(alertGroupKey('x', ['b-2', 'a-1']));
  });

  it('without servers, groups by wording with numbers and spacing aside', () => {
    const a = alertGroupKey('Disk  91% full on the NFS share', []);
    expect(a).toBe('text:disk #% full on the nfs share');
    expect(alertGroupKey('disk 95% full on the nfs   share', [])).toBe(a);
    expect(alertGroupKey('disk 95% full on the backup share', [])).not.toBe(a);
    expect(alertGroupKey('x'.repeat(500), []).length).toBe('text:'.length + 200);
  });
});
