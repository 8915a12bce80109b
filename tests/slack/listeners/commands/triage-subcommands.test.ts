import { describe, expect, it } from 'vitest';
import { subcommandOf, triageCommand } from '../../../../src/slack/listeners/commands/triage.ts';
import { invoke, OPS, recordingAck, recordingDeps } from '../support.ts';

async function run(text: string) {
  const { deps, rec } = recordingDeps();
  const { ack, acks } = recordingAck(rec);
  const command = {
    command: '/triage',
    text,
    user_id: 'U0ASKER',
    channel_id: OPS,
    // Unroutable: an answer through it fails fast and is only logged.
    response_url: 'http://127.0.0.1:9/commands/x',
  };
  await invoke(triageCommand(deps), { command, ack, body: command });
  return { rec, acks };
}

describe('/triage subcommands', () => {
  it('list answers privately with the overview, and opens no incident', async () => {
    const { rec, acks } = await run('list');
    expect(rec.surfaces).toEqual(['listMessage:U0ASKER']);
    expect(acks).toEqual([{ response_type: 'ephemeral', text: 'list', blocks: [] }]);
    expect(rec.accepted).toEqual([]);
  });

  it('status INC-… answers privately with that incident, and says so when it is unknown', async () => {
    const { rec, acks } = await run('status inc-1a2b3c4d');
    expect(rec.surfaces).toEqual(['statusMessage:INC-1A2B3C4D']);
    expect(acks[0]).toMatchObject({ response_type: 'ephemeral', text: 'status INC-1A2B3C4D' });
    const unknown = await run('status INC-00000000');
    expect(unknown.acks[0]).toMatchObject({
      text: 'No incident INC-00000000 in this installation.',
    });
  });

  it('postmortem INC-… acks, then drafts it in the incident thread', async () => {
    const { rec, acks } = await run('postmortem INC-1A2B3C4D');
    expect(rec.order.slice(0, 2)).toEqual(['ack', 'postmortem']);
    expect(acks[0]).toMatchObject({ response_type: 'ephemeral' });
    expect(rec.postmortems).toEqual([
      { incidentId: 'INC-1A2B3C4D', actor: 'U0ASKER', trigger: 'command' },
    ]);
  });

  it('anything else is a report, as before', () => {
    for (const text of [
      'list of errors on payment-server-01',
      'status of payment-server-01 is bad',
      'postmortem',
      'status INC-12',
      'payment-server-01 is slow',
    ])
      expect(subcommandOf(text), text).toBeNull();
    expect(subcommandOf('LIST')).toEqual({ kind: 'list' });
    expect(subcommandOf('help')).toEqual({ kind: 'help' });
  });
});
