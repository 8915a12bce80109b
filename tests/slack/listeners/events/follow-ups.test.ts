import { describe, expect, it } from 'vitest';
import { appHomeOpened } from '../../../../src/slack/listeners/events/app-home-opened.ts';
import { appMention } from '../../../../src/slack/listeners/events/app-mention.ts';
import { CONTEXT, invoke, OPS, recordingDeps } from '../support.ts';

const TS = '1700000000.000200';
const THREAD = '1700000000.000001';

const mention = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'app_mention',
  channel: OPS,
  ts: TS,
  user: 'U0HUMAN',
  text,
  ...extra,
});

describe('a mention in an incident thread', () => {
  it('is offered to the conversation with the thread as its place, and goes no further', async () => {
    const { deps, rec } = recordingDeps({
      followUp: async () => ({ kind: 'accepted', incidentId: 'INC-1', jobId: 'job-9' }),
    });
    const event = mention('<@UBOT> also check db-node-02', { thread_ts: THREAD });
    await invoke(appMention(deps), {
      event,
      body: { type: 'event_callback', event_id: 'EvF1', event },
      context: { ...CONTEXT },
    });
    expect(rec.followUps).toEqual([
      {
        text: 'also check db-node-02',
        actor: 'U0HUMAN',
        place: `slack:${OPS}:${THREAD}`,
        route: JSON.stringify({ channel: OPS, replyTo: THREAD, responseUrl: null }),
        dedupeKeys: ['event:EvF1', `message:${OPS}:${TS}`],
      },
    ]);
    expect(rec.accepted).toEqual([]);
  });

  it('a retried follow-up is dropped by the conversation, and not opened as a new incident', async () => {
    const { deps, rec } = recordingDeps({ followUp: async () => ({ kind: 'duplicate' }) });
    const event = mention('<@UBOT> status', { thread_ts: THREAD });
    await invoke(appMention(deps), { event, body: { event }, context: { ...CONTEXT } });
    expect(rec.order).toEqual(['followUp']);
  });

  it('a thread that is no incident’s opens a new incident, as before', async () => {
    const { deps, rec } = recordingDeps();
    const event = mention('<@UBOT> payment-server-01 is slow', { thread_ts: THREAD });
    await invoke(appMention(deps), { event, body: { event }, context: { ...CONTEXT } });
    expect(rec.order).toEqual(['followUp', 'accept']);
    expect(rec.accepted[0]).toMatchObject({ text: 'payment-server-01 is slow', replyTo: THREAD });
  });

  it('a top-level mention is never a follow-up', async () => {
    const { deps, rec } = recordingDeps({
      followUp: async () => ({ kind: 'accepted', incidentId: 'INC-1', jobId: 'j' }),
    });
    const event = mention('<@UBOT> payment-server-01 is slow');
    await invoke(appMention(deps), { event, body: { event }, context: { ...CONTEXT } });
    expect(rec.followUps).toEqual([]);
    expect(rec.accepted).toHaveLength(1);
  });
});

describe('app_home_opened', () => {
  it('publishes the Home tab of the user who opened it', async () => {
    const { deps, rec } = recordingDeps();
    await invoke(appHomeOpened(deps), {
      event: { type: 'app_home_opened', user: 'U0APPROVER', channel: 'D0HOME', tab: 'home' },
    });
    expect(rec.surfaces).toEqual(['publishHome:U0APPROVER']);
  });

  it('leaves the Messages tab alone, and drops a payload without a user', async () => {
    const { deps, rec } = recordingDeps();
    await invoke(appHomeOpened(deps), {
      event: { type: 'app_home_opened', user: 'U0APPROVER', tab: 'messages' },
    });
    await invoke(appHomeOpened(deps), { event: { type: 'app_home_opened', tab: 'home' } });
    expect(rec.surfaces).toEqual([]);
  });
});
