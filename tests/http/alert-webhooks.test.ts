import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntryOf, AuditEventName } from '../../src/domain/audit.ts';
import {
  briefWithButtons,
  buttonsOf,
  shown,
  waitForBriefWithButtons,
} from '../slack/e2e-support.ts';
import { ALERTS, type BotHarness, ESCALATIONS, startBot } from '../slack/harness.ts';
import { alertmanager, HOOKS, postAlert, TOKEN } from './support.ts';

/**
 * POST /alerts/… against the real bot (HTTP mode, fake Slack Web API), with the payloads the
 * alerting systems document:
 * - Alertmanager: the webhook_config JSON format, version 4 (prometheus/alertmanager
 *   docs/configuration.md, "<webhook_config>"; the Message type in notify/webhook/webhook.go);
 * - Grafana: the webhook contact point's "Example JSON body" (grafana.com docs, alerting,
 *   webhook-notifier), the webhookMessage of grafana/alerting receivers/webhook/v1/webhook.go.
 */

const open: BotHarness[] = [];
async function bot(env: Record<string, string> = {}): Promise<BotHarness> {
  const h = await startBot({
    env: { ALERT_WEBHOOK_TOKEN: TOKEN, ALERT_WEBHOOK_CHANNEL: HOOKS, ...env },
  });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const CPU = {
  labels: {
    alertname: 'HighCPU',
    instance: 'payment-server-01:9100',
    job: 'node',
    severity: 'critical',
  },
  annotations: {
    summary: 'CPU above 95% on payment-server-01',
    description: 'payment-server-01 has been above 95% CPU for 10 minutes; requests time out',
  },
};

/** Grafana's documented example body, for search-index-09. */
function grafana(status: 'firing' | 'resolved') {
  const alert = {
    status,
    labels: { alertname: 'SearchDown', instance: 'search-index-09', team: 'blue', zone: 'us-1' },
    annotations: {
      description: 'The search index cannot reach its cluster',
      runbook_url: 'https://myrunbook.com/runbook/1234',
      summary: 'Search failing on search-index-09',
    },
    startsAt: '2021-10-12T09:51:03.157076+02:00',
    endsAt: status === 'resolved' ? '2021-10-12T10:05:03.157076+02:00' : '0001-01-01T00:00:00Z',
    generatorURL: 'https://play.grafana.org/alerting/1afz29v7z/edit',
    fingerprint: 'c6eadffa33fcdf37',
    silenceURL:
      'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1',
    dashboardURL: '',
    panelURL: '',
    values: { B: 44.23943737541908, C: 1 },
  };
  return {
    receiver: 'My Super Webhook',
    status,
    orgId: 1,
    alerts: [alert],
    groupLabels: {},
    commonLabels: alert.labels,
    commonAnnotations: {},
    externalURL: 'https://play.grafana.org/',
    version: '1',
    groupKey: '{}:{alertname="SearchDown"}',
    truncatedAlerts: 0,
    title: `[${status.toUpperCase()}${status === 'firing' ? ':1' : ''}] SearchDown (search-index-09 blue us-1)`,
    state: status === 'firing' ? 'alerting' : 'ok',
    message: '**Firing**\n\nValue: B=44.2, C=1\nLabels:\n - alertname = SearchDown\n',
  };
}

async function events<E extends AuditEventName>(
  h: BotHarness,
  event: E,
): Promise<AuditEntryOf<E>[]> {
  return (await h.store.audit.list()).filter((e): e is AuditEntryOf<E> => e.event === event);
}

/** Waits until the bot has posted a brief (a message with a header) into `channel`. */
async function briefIn(h: BotHarness, channel: string, pattern: RegExp) {
  await h.slack.waitFor(
    (s) =>
      s
        .callsTo('chat.postMessage')
        .some(
          (c) => c.args.channel === channel && /"header"/.test(shown(c)) && pattern.test(shown(c)),
        ),
    10_000,
    `a brief in ${channel}`,
  );
  const call = h.slack
    .callsTo('chat.postMessage')
    .find((c) => c.args.channel === channel && /"header"/.test(shown(c)) && pattern.test(shown(c)));
  if (!call?.result?.ts) throw new Error('no brief');
  return { call, ts: String(call.result.ts) };
}

describe('POST /alerts/alertmanager', () => {
  it('a firing alert becomes an incident about its instance, briefed as a new message in ALERT_WEBHOOK_CHANNEL', async () => {
    const h = await bot();
    const answer = await postAlert(
      h,
      'alertmanager',
      alertmanager('firing', CPU.labels, CPU.annotations, 'a1b2c3d4e5f60718'),
    );
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ alerts: 1, accepted: 1, grouped: 0, duplicate: 0 });
    // Durable before the 2xx: the incident is in the store when the answer arrives.
    const opened = await events(h, 'incident.opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      actor: 'alertmanager:level-zero-operator',
      details: { source: 'webhook' },
    });
    expect(String(opened[0]?.details.report)).toMatch(/^\[FIRING\] HighCPU: CPU above 95%/);

    const { call } = await waitForBriefWithButtons(h.slack);
    expect(call.method).toBe('chat.postMessage');
    expect(call.args).toMatchObject({ channel: HOOKS });
    expect(call.args.thread_ts).toBeUndefined();
    expect(shown(call)).toMatch(/payment-server-01/);
    // A webhook alert has no message to react to, and posts no progress message.
    expect(h.slack.callsTo('reactions.add')).toEqual([]);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(1);

    // Alertmanager re-sends a still-firing alert with every notification of its group: one alert.
    const again = await postAlert(
      h,
      'alertmanager',
      alertmanager('firing', CPU.labels, CPU.annotations, 'a1b2c3d4e5f60718'),
    );
    expect(again.json).toMatchObject({ duplicate: 1 });
    expect(await events(h, 'incident.opened')).toHaveLength(1);
  });

  it('resolved: the brief is edited in place once, one line goes in its thread, the pending restart is withdrawn and refused', async () => {
    const h = await bot();
    await postAlert(
      h,
      'alertmanager',
      alertmanager('firing', CPU.labels, CPU.annotations, 'fp-cpu'),
    );
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    const briefTs = String(call.result?.ts);
    const updatesBefore = h.slack.callsTo('chat.update').length;

    const answer = await postAlert(
      h,
      'alertmanager',
      alertmanager('resolved', CPU.labels, CPU.annotations, 'fp-cpu'),
    );
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ resolved: 1 });
    const resolved = await events(h, 'incident.resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]?.details).toMatchObject({ via: 'alertmanager', fingerprint: 'fp-cpu' });
    expect(await events(h, 'proposal.withdrawn')).toHaveLength(1);
    expect((await h.store.proposals.get(proposalId))?.state).toBe('withdrawn');

    await h.slack.waitFor(
      (s) => s.callsTo('chat.postMessage').some((c) => /Resolved at/.test(shown(c))),
      5_000,
      'the resolution line in the thread',
    );
    const edits = h.slack.callsTo('chat.update').slice(updatesBefore);
    expect(edits.map((c) => c.args.ts)).toEqual([briefTs]);
    expect(shown(edits[0] ?? call)).toMatch(/✅ Resolved at .* after/);
    expect(buttonsOf(edits[0] ?? call)).toEqual([]);
    const line = h.slack.callsTo('chat.postMessage').filter((c) => /Resolved at/.test(shown(c)));
    expect(line).toHaveLength(1);
    expect(line[0]?.args).toMatchObject({ channel: HOOKS, thread_ts: briefTs });

    // The withdrawn proposal's buttons, clicked late, restart nothing.
    await h.click('approve_restart', proposalId, { channel: HOOKS, messageTs: briefTs });
    await h.slack.waitFor((s) => s.callsTo('chat.postEphemeral').length > 0, 5_000, 'the answer');
    expect(String(h.slack.callsTo('chat.postEphemeral')[0]?.args.text)).toMatch(/withdrawn/i);
    expect(await events(h, 'restart.executed')).toEqual([]);
    expect(await events(h, 'proposal.approved')).toEqual([]);

    // A resolved alert re-sent is not a second resolution.
    const twice = await postAlert(
      h,
      'alertmanager',
      alertmanager('resolved', CPU.labels, CPU.annotations, 'fp-cpu'),
    );
    expect(twice.json).toMatchObject({ duplicate: 1 });
    expect(await events(h, 'incident.resolved')).toHaveLength(1);
  });

  it('the next firing after resolution opens a new incident linked to the resolved one', async () => {
    const h = await bot();
    await postAlert(
      h,
      'alertmanager',
      alertmanager('firing', CPU.labels, CPU.annotations, 'fp-re'),
    );
    await waitForBriefWithButtons(h.slack);
    await postAlert(
      h,
      'alertmanager',
      alertmanager('resolved', CPU.labels, CPU.annotations, 'fp-re'),
    );
    const again = await postAlert(
      h,
      'alertmanager',
      alertmanager('firing', CPU.labels, CPU.annotations, 'fp-re', '2025-03-05T11:02:00.000Z'),
    );
    expect(again.json).toMatchObject({ accepted: 1 });
    const opened = await events(h, 'incident.opened');
    expect(opened).toHaveLength(2);
    const [second, first] = opened.map((e) => e.incident_id);
    const links = await events(h, 'incident.linked');
    expect(
      links.map((l) => [l.incident_id, l.details.relation, l.details.linked_incident_id]),
    ).toEqual(
      expect.arrayContaining([
        [second, 'recurrence_of', first],
        [first, 'recurred_as', second],
      ]),
    );
    await h.slack.waitFor(
      (s) => s.callsTo('chat.postMessage').some((c) => /Fired again after/.test(shown(c))),
      10_000,
      "the new incident's brief, linked",
    );
  });
});

describe('POST /alerts/grafana', () => {
  it("takes Grafana's documented body, firing then resolved", async () => {
    const h = await bot();
    const firing = await postAlert(h, 'grafana', grafana('firing'));
    expect(firing).toMatchObject({ status: 202, json: { accepted: 1 } });
    const { ts } = await briefIn(h, HOOKS, /search-index-09/);
    await h.slack.waitFor(
      (s) => s.callsTo('chat.postMessage').some((c) => c.args.channel === ESCALATIONS),
      5_000,
      'the escalation',
    );
    const resolved = await postAlert(h, 'grafana', grafana('resolved'));
    expect(resolved).toMatchObject({ status: 202, json: { resolved: 1 } });
    await h.slack.waitFor(
      (s) => s.callsTo('chat.update').some((c) => c.args.ts === ts && /Resolved at/.test(shown(c))),
      5_000,
      'the brief edited',
    );
    expect((await events(h, 'incident.resolved'))[0]?.details.via).toBe('grafana');
  });
});

describe('POST /alerts/generic', () => {
  it('takes the generic schema: title, text, severity, servers, status, fingerprint', async () => {
    const h = await bot();
    const answer = await postAlert(h, 'generic', {
      title: 'Payments slow',
      text: 'p99 above 4s; the runbook says to compare with frontend-node-04',
      severity: 'critical',
      servers: ['payment-server-01'],
      fingerprint: 'pay-slow',
    });
    expect(answer).toMatchObject({ status: 202, json: { accepted: 1 } });
    const { call } = await waitForBriefWithButtons(h.slack);
    // The servers named by the alert may be restarted; a name in its text is context only.
    expect(shown(call)).toMatch(/Context only .*frontend-node-04/);
    const resolved = await postAlert(h, 'generic', {
      title: 'Payments slow',
      status: 'resolved',
      fingerprint: 'pay-slow',
    });
    expect(resolved.json).toMatchObject({ resolved: 1 });
  });
});

describe('authentication and validation', () => {
  it('a missing or wrong token is a 401, and nothing is stored', async () => {
    const h = await bot();
    const body = alertmanager('firing', CPU.labels, CPU.annotations, 'fp-auth');
    for (const token of [null, 'wrong-token-0123456789', `${TOKEN}x`, '']) {
      const answer = await postAlert(h, 'alertmanager', body, { token });
      expect(answer.status).toBe(401);
    }
    const basic = await fetch(h.url.replace('/slack/events', '/alerts/generic'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
      },
      body: JSON.stringify({ title: 'x' }),
    });
    expect(basic.status).toBe(401);
    expect(await h.store.audit.list()).toEqual([]);
    expect(await h.store.jobs.claim({ owner: 't', now: new Date(), leaseMs: 1 })).toBeNull();
    // Not even de-duplication remembers it: the same alert, authenticated, is taken in.
    expect((await postAlert(h, 'alertmanager', body)).json).toMatchObject({ accepted: 1 });
  });

  it('a malformed body is a 400 that says what is wrong', async () => {
    const h = await bot();
    const notJson = await postAlert(h, 'alertmanager', null, { raw: '{"version": "4",' });
    expect(notJson.status).toBe(400);
    expect(String(notJson.json.error)).toMatch(/not JSON/);

    const oldVersion = await postAlert(h, 'alertmanager', {
      ...alertmanager('firing', CPU.labels, CPU.annotations, 'fp'),
      version: '3',
    });
    expect(oldVersion.status).toBe(400);
    expect(oldVersion.json.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^version: must be "4"/)]),
    );

    const noAlerts = await postAlert(h, 'grafana', { ...grafana('firing'), alerts: [] });
    expect(noAlerts.json.problems).toEqual(['alerts: must hold at least one alert']);

    const badStatus = await postAlert(h, 'alertmanager', {
      ...alertmanager('firing', CPU.labels, CPU.annotations, 'fp'),
      alerts: [{ status: 'burning', labels: {}, startsAt: 'x' }],
    });
    expect(badStatus.json.problems).toEqual(['alerts[0].status: must be "firing" or "resolved"']);

    const noTitle = await postAlert(h, 'generic', { text: 'something', servers: ['web-1'] });
    expect(noTitle.status).toBe(400);
    expect(noTitle.json.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^title:/)]),
    );
    const unknownField = await postAlert(h, 'generic', { title: 'x', hosts: ['web-1'] });
    expect(unknownField.json.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/hosts/)]),
    );
    expect(await h.store.audit.list()).toEqual([]);
  });

  it('without ALERT_WEBHOOK_TOKEN the routes do not exist', async () => {
    const h = await startBot();
    open.push(h);
    const answer = await fetch(h.url.replace('/slack/events', '/alerts/generic'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ title: 'x' }),
    });
    expect(answer.status).toBe(404);
  });
});

describe('Slack and webhook alerts', () => {
  it('about the same server join one incident, whichever comes first', async () => {
    const h = await bot();
    await h.event({
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B0ALERTS',
      channel: ALERTS,
      ts: '1700003000.000100',
      text: '[FIRING:1] HighCPU (payment-server-01:9100 node critical)',
    });
    await waitForBriefWithButtons(h.slack);
    const hook = await postAlert(
      h,
      'alertmanager',
      alertmanager('firing', CPU.labels, CPU.annotations, 'fp-joined'),
    );
    expect(hook.json).toMatchObject({ grouped: 1, accepted: 0 });
    expect(await events(h, 'incident.opened')).toHaveLength(1);
    // The webhook alert is counted where the incident lives: the Slack alert's thread.
    await h.slack.waitFor(
      (s) =>
        s
          .callsTo('chat.postMessage')
          .some((c) => /\+1 more alert/.test(shown(c)) && c.args.thread_ts === '1700003000.000100'),
      8_000,
      'the counter in the Slack thread',
    );
    // And its recovery resolves that incident.
    const resolved = await postAlert(
      h,
      'alertmanager',
      alertmanager('resolved', CPU.labels, CPU.annotations, 'fp-joined'),
    );
    expect(resolved.json).toMatchObject({ resolved: 1 });
    expect(briefWithButtons(h.slack)?.args.channel).toBe(ALERTS);
  });

  it("an integration's [RESOLVED] message in an alert channel resolves the incident its firing opened", async () => {
    const h = await bot();
    const firing = (ts: string, text: string) => ({
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B0ALERTS',
      channel: ALERTS,
      ts,
      text,
    });
    await h.event(firing('1700003100.000100', '[FIRING:1] HighCPU (payment-server-01:9100 node)'));
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    await h.event(firing('1700003100.000900', '[RESOLVED] HighCPU (payment-server-01:9100 node)'));
    await h.slack.waitFor(
      (s) =>
        s
          .callsTo('chat.update')
          .some((c) => c.args.ts === call.result?.ts && /Resolved at/.test(shown(c))),
      8_000,
      'the brief edited',
    );
    expect(await events(h, 'incident.opened')).toHaveLength(1);
    expect((await h.store.proposals.get(proposalId))?.state).toBe('withdrawn');
    // The recovery message itself is marked, not answered with a message.
    expect(h.slack.callsTo('reactions.add').map((c) => c.args)).toEqual(
      expect.arrayContaining([
        { channel: ALERTS, timestamp: '1700003100.000900', name: 'white_check_mark' },
      ]),
    );
  });
});
