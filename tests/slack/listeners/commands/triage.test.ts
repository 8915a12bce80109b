import { describe, expect, it } from 'vitest';
import {
  TRIAGE_NOT_STORED,
  TRIAGE_REPEATED,
  TRIAGE_USAGE,
  triageCommand,
} from '../../../../src/slack/listeners/commands/triage.ts';
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
  it('hands the report to the intake, then acks with a private note once it is stored', async () => {
    const { rec, acks } = await run({
      text: 'payment-server-01 is extremely slow',
      trigger_id: '1234.5678.abcd',
    });
    expect(rec.order).toEqual(['accept', 'ack']);
    expect(rec.readiness).toEqual(['ok']);
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

  it("dedupes on the command's trigger_id, so a replayed request is handled once", async () => {
    const { deps, rec } = recordingDeps();
    const keys: string[][] = [];
    deps.intake = {
      accept: async (request) => {
        keys.push([...request.dedupeKeys]);
        rec.order.push('accept');
        return { kind: 'duplicate' };
      },
    };
    const { ack, acks } = recordingAck(rec);
    await invoke(triageCommand(deps), {
      command: {
        text: 'db-node-02',
        user_id: 'U1',
        channel_id: OPS,
        response_url: RESPONSE_URL,
        trigger_id: '1234.5678.abcd',
      },
      ack,
    });
    expect(keys).toEqual([['command:1234.5678.abcd']]);
    expect(acks).toEqual([{ response_type: 'ephemeral', text: TRIAGE_REPEATED }]);
  });

  it('when the store cannot write, the ack says so (no brief is promised) and it is reported', async () => {
    const { rec, acks } = await run(
      { text: 'db-node-02 is down' },
      {
        accept: async () => {
          throw new Error('SQLITE_FULL: database or disk is full');
        },
      },
    );
    expect(acks).toEqual([{ response_type: 'ephemeral', text: TRIAGE_NOT_STORED }]);
    expect(rec.readiness).toEqual(['failed:command']);
  });

  it('escapes Slack markup from the report in the acknowledgement', async () => {
    const { acks } = await run({ text: 'db-node-02 <!channel> & <@U0BOSS>' });
    const text = String((acks[0] as { text: string }).text);
    expect(text).not.toMatch(/<!channel>|<@U0BOSS>/);
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
    expect(String((acks[0] as { text: string }).text)).toContain(`“${long.slice(0, 199)}…”`);
    expect(rec.accepted[0]?.text).toBe(long);
  });
});
