import { describe, expect, it } from 'vitest';
import { openFullBrief } from '../../../../src/slack/listeners/actions/open-full-brief.ts';
import { invoke, OPS, recordingAck, recordingDeps } from '../support.ts';

describe('the Full brief button', () => {
  it('acks, then opens the modal with the click’s trigger id, for anyone', async () => {
    const { deps, rec } = recordingDeps();
    const { ack } = recordingAck(rec);
    const body = {
      type: 'block_actions',
      user: { id: 'U0STRANGER' },
      container: { type: 'message', channel_id: OPS, message_ts: '1700000000.000301' },
      trigger_id: '13345224609.738474920.8088930838d88f008e0',
      actions: [
        {
          type: 'button',
          action_id: 'open_full_brief',
          block_id: 'lzo_brief_nav.INC-0000AAAA',
          value: 'INC-0000AAAA',
        },
      ],
    };
    await invoke(openFullBrief(deps), { ack, body });
    expect(rec.order).toEqual(['ack', 'openFullBrief']);
    expect(rec.surfaces).toEqual([
      'openFullBrief:13345224609.738474920.8088930838d88f008e0:INC-0000AAAA',
    ]);
  });

  it('without a trigger id there is no modal to open', async () => {
    const { deps, rec } = recordingDeps();
    const { ack } = recordingAck(rec);
    await invoke(openFullBrief(deps), {
      ack,
      body: { user: { id: 'U1' }, actions: [{ action_id: 'open_full_brief', value: 'INC-1' }] },
    });
    expect(rec.surfaces).toEqual([]);
  });
});
