import { describe, expect, it } from 'vitest';
import { TRIAGE_USAGE, triageCommand } from '../../../../src/slack/listeners/commands/triage.ts';
import { invoke, OPS, recordingAck, recordingDeps } from '../support.ts';

const RESPONSE_URL = 'https://hooks.slack.com/commands/T0TEAM/1/abc';

async function run(fields: Record<string, unknown>, accept?: Parameters<typeof recordingDeps>[0]) {
  const { deps, rec } = recordingDeps(accept);
  const { ack, acks } = recordingAck(rec);
  const command = {
    command: '/triage',
    user_id: 'U0ASKER',
    channel_id: OPS,
    response_url: RESPONSE_URL,
    ...fields,
  };
  await invoke(triageCommand(deps), { command, ack, body: command });
  return { rec, acks };
}

describe('/triage', () => {
  it('acks at once with a private note, then hands the report to the intake', async () => {
    const { rec, acks } = await run({ text: 'payment-server-01 is extremely slow' });
    expect(rec.order).toEqual(['ack', 'accept']);
    expect(acks).toEqual([
      {
        response_type: 'ephemeral',
        text: '🔎 Investigating “payment-server-01 is extremely slow”… the brief will appear in this channel.',
      },
    ]);
    expect(rec.accepted).toEqual([
      {
        origin: 'command',
        text: 'payment-server-01 is extremely slow',
        actor: 'U0ASKER',
        channel: OPS,
        replyTo: null,
        responseUrl: RESPONSE_URL,
      },
    ]);
  });

  it('acks before the intake even starts (the intake may be slow; Slack waits 3 s)', async () => {
    let ackedBeforeAccept = false;
    const { deps, rec } = recordingDeps();
    const { ack } = recordingAck(rec);
    deps.intake = {
      accept: async () => {
        ackedBeforeAccept = rec.order.includes('ack');
        return { kind: 'duplicate' };
      },
    };
    await invoke(triageCommand(deps), {
      command: { text: 'db-node-02', user_id: 'U1', channel_id: OPS, response_url: RESPONSE_URL },
      ack,
    });
    expect(ackedBeforeAccept).toBe(true);
  });

  it('makes Slack markup plain before triage', async () => {
    const { rec } = await run({ text: '<#C0DB|db> <https://x.example|db-node-02> &gt; 90%' });
    expect(rec.accepted[0]?.text).toBe('#db db-node-02 > 90%');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['missing', undefined],
  ])('with %s text: usage, privately, and no triage', async (_what, text) => {
    const { rec, acks } = await run(text === undefined ? {} : { text });
    expect(acks).toEqual([{ response_type: 'ephemeral', text: TRIAGE_USAGE }]);
    expect(rec.order).toEqual(['ack']);
  });

  it('a command of unexpected shape is acked with an apology and dropped', async () => {
    const { rec, acks } = await run({ text: 'db-node-02', response_url: 'not a url' });
    expect(acks).toEqual([
      {
        response_type: 'ephemeral',
        text: 'Sorry, Slack sent this command in a shape I do not understand.',
      },
    ]);
    expect(rec.order).toEqual(['ack']);
  });

  it('cuts a long report in the acknowledgement, not in what is triaged', async () => {
    const long = `payment-server-01 ${'x'.repeat(400)}`;
    const { rec, acks } = await run({ text: long });
    expect(String((acks[0] as { text: string }).text)).toContain(`“${long.slice(0, 200)}”`);
    expect(rec.accepted[0]?.text).toBe(long);
  });
});
