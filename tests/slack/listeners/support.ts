import { silentLogger } from '../../../src/logger.ts';
import type { ClickSite } from '../../../src/slack/decisions.ts';
import type { IntakeRequest, IntakeResult } from '../../../src/slack/intake.ts';
import type { ListenerDeps } from '../../../src/slack/listeners/deps.ts';
import type { SlackMessage } from '../../../src/slack/writer.ts';

/**
 * Recording fakes for ListenerDeps, so a listener can be called directly, the way the Bolt
 * starter template tests its listeners: hand-built event/body/context in, recorded calls out.
 */

export const ALERTS = 'C0ALERTS';
export const OPS = 'C0OPS';
/** What Bolt's authorize puts in the context for this bot. */
export const CONTEXT = { botId: 'BBOT', botUserId: 'UBOT' } as const;

export type Recorder = {
  accepted: IntakeRequest[];
  clicks: { verb: 'approve' | 'deny'; proposalId: string; site: ClickSite }[];
  posts: { channel: string; message: SlackMessage; threadTs: string | null | undefined }[];
  /** Every call in order, acks included: `ack`, `accept`, `click`, `post`. */
  order: string[];
};

export function recordingDeps(
  options: { alertChannels?: string[]; accept?: (r: IntakeRequest) => Promise<IntakeResult> } = {},
): { deps: ListenerDeps; rec: Recorder } {
  const rec: Recorder = { accepted: [], clicks: [], posts: [], order: [] };
  const deps: ListenerDeps = {
    intake: {
      accept: async (request) => {
        rec.order.push('accept');
        rec.accepted.push(request);
        return options.accept
          ? options.accept(request)
          : { kind: 'accepted', incidentId: 'INC-1', jobId: 'job-1', thread: null };
      },
    },
    decisions: {
      click: async (verb, proposalId, site) => {
        rec.order.push('click');
        rec.clicks.push({ verb, proposalId, site });
        return { kind: 'unknown', message: 'recorded' };
      },
    },
    writer: {
      post: async (channel, message, opts = {}) => {
        rec.order.push('post');
        rec.posts.push({ channel, message, threadTs: opts.threadTs });
        return { ts: '9.000001' };
      },
    },
    alertChannels: new Set(options.alertChannels ?? [ALERTS]),
    logger: silentLogger(),
  };
  return { deps, rec };
}

/** An ack that records its arguments and its place in the order. */
export function recordingAck(rec: Recorder) {
  const acks: unknown[] = [];
  const ack = async (response?: unknown) => {
    rec.order.push('ack');
    acks.push(response);
  };
  return { ack, acks };
}

/**
 * Calls a Bolt listener with only the arguments it reads. Bolt's argument types carry the whole
 * middleware surface (client, say, next, …); a listener that touched any of it would fail here.
 */
export function invoke<A>(listener: (args: A) => Promise<void>, args: Record<string, unknown>) {
  return listener(args as unknown as A);
}
