import { silentLogger } from '../../../src/logger.ts';
import type {
  FollowUpRequest,
  FollowUpResult,
} from '../../../src/operator/conversation/conversation.ts';
import type { IntakeRequest, IntakeResult } from '../../../src/operator/intake/intake.ts';
import type { ClickSite } from '../../../src/slack/decisions.ts';
import type { ListenerDeps } from '../../../src/slack/listeners/deps.ts';
import { decodeRoute } from '../../../src/slack/thread.ts';
import type { SlackMessage } from '../../../src/slack/writer.ts';

/**
 * Recording fakes for ListenerDeps, so a listener can be called directly, the way the Bolt
 * starter template tests its listeners: hand-built event/body/context in, recorded calls out.
 */

export const ALERTS = 'C0ALERTS';
export const OPS = 'C0OPS';
/** What Bolt's authorize puts in the context for this bot. */
export const CONTEXT = { botId: 'BBOT', botUserId: 'UBOT' } as const;

/** An intake request read back as the Slack delivery it came from. */
export type Delivery = {
  origin: IntakeRequest['origin'];
  text: string;
  actor: string;
  channel: string;
  replyTo: string | null;
  messageTs?: string;
  eventId?: string;
  responseUrl?: string;
};

function deliveryOf(request: IntakeRequest): Delivery {
  const route = decodeRoute(request.route);
  const eventId = request.dedupeKeys.find((k) => k.startsWith('event:'))?.slice('event:'.length);
  const messageTs = request.dedupeKeys.find((k) => k.startsWith('message:'))?.split(':')[2];
  return {
    origin: request.origin,
    text: request.text,
    actor: request.actor,
    channel: route.channel,
    replyTo: route.replyTo,
    ...(messageTs ? { messageTs } : {}),
    ...(eventId ? { eventId } : {}),
    ...(route.responseUrl ? { responseUrl: route.responseUrl } : {}),
  };
}

export type Recorder = {
  /** What the listener handed the intake, read back as Slack deliveries. */
  accepted: Delivery[];
  clicks: { verb: 'approve' | 'deny'; proposalId: string; site: ClickSite }[];
  posts: { channel: string; message: SlackMessage; threadTs: string | null | undefined }[];
  /** Clickers told their click failed. */
  clickFailures: { site: ClickSite; text: string }[];
  /** What the listeners reported to readiness: `failed:<kind>` or `ok`. */
  readiness: string[];
  /** Work left running after the acknowledgement. */
  background: Promise<unknown>[];
  /** Follow-ups offered to the conversation (every threaded mention), and what it said. */
  followUps: FollowUpRequest[];
  /** Surface calls: `openFullBrief:<trigger>:<incident>`, `publishHome:<user>[:notice]`, … */
  surfaces: string[];
  postmortems: { incidentId: string; actor: string; trigger: string }[];
  /** Every call in order, acks included: `ack`, `accept`, `click`, `post`, `followUp`, … */
  order: string[];
};

export function recordingDeps(
  options: {
    alertChannels?: string[];
    accept?: (r: IntakeRequest) => Promise<IntakeResult>;
    /** The conversation's answer; default: no thread is an incident's. */
    followUp?: (r: FollowUpRequest) => Promise<FollowUpResult>;
    click?: ListenerDeps['decisions']['click'];
  } = {},
): { deps: ListenerDeps; rec: Recorder } {
  const rec: Recorder = {
    accepted: [],
    clicks: [],
    posts: [],
    clickFailures: [],
    readiness: [],
    background: [],
    followUps: [],
    surfaces: [],
    postmortems: [],
    order: [],
  };
  const surface = (call: string) => {
    rec.order.push(call.split(':')[0] ?? call);
    rec.surfaces.push(call);
  };
  const deps: ListenerDeps = {
    intake: {
      accept: async (request) => {
        rec.order.push('accept');
        rec.accepted.push(deliveryOf(request));
        return options.accept
          ? options.accept(request)
          : { kind: 'accepted', incidentId: 'INC-1', jobId: 'job-1' };
      },
    },
    decisions: {
      click: async (verb, proposalId, site, hooks) => {
        rec.order.push('click');
        rec.clicks.push({ verb, proposalId, site });
        if (options.click) return options.click(verb, proposalId, site, hooks);
        hooks?.onRecorded?.();
        return { kind: 'unknown', message: 'recorded' };
      },
      clickFailed: async (site, text) => {
        rec.order.push('clickFailed');
        rec.clickFailures.push({ site, text });
      },
    },
    conversation: {
      accept: async (request) => {
        rec.order.push('followUp');
        rec.followUps.push(request);
        return options.followUp ? options.followUp(request) : { kind: 'not_a_follow_up' };
      },
    },
    surfaces: {
      openFullBrief: async (trigger, incident) => {
        surface(`openFullBrief:${trigger}:${incident}`);
        return true;
      },
      refreshModal: async (view, incident, notice) => {
        surface(`refreshModal:${view}:${incident}:${notice}`);
      },
      publishHome: async (user, notice) => {
        surface(`publishHome:${user}${notice ? `:${notice}` : ''}`);
      },
      listMessage: async (user) => {
        surface(`listMessage:${user}`);
        return { text: 'list', blocks: [] };
      },
      statusMessage: async (incident) => {
        surface(`statusMessage:${incident}`);
        return incident === 'INC-00000000' ? null : { text: `status ${incident}`, blocks: [] };
      },
    },
    postmortems: {
      post: async (incidentId, actor, trigger) => {
        rec.order.push('postmortem');
        rec.postmortems.push({ incidentId, actor, trigger });
        return null;
      },
    },
    approvers: { watches: () => true, membershipChanged: async () => {} },
    readiness: {
      failed: (kind) => {
        rec.readiness.push(`failed:${kind}`);
      },
      succeeded: () => {
        rec.readiness.push('ok');
      },
    },
    background: (work) => {
      rec.background.push(work.catch(() => {}));
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
