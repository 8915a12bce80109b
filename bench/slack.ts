import {
  clickBody,
  commandBody,
  eventEnvelope,
  type FakeSlack,
  postSigned,
  type SlackCall,
} from '../testing/fake-slack.ts';
import { blocksOf, buttonsOf } from '../tests/slack/e2e-support.ts';

/**
 * The benchmark's side of Slack: signed requests to a replica as Slack sends them, and a ledger
 * of what the bot wrote to the fake Web API (progress messages, briefs, their times).
 */

export const SIGNING_SECRET = 'bench-signing-secret';
export const BOT_TOKEN = 'xoxb-bench';
export const ALERTS = 'C0ALERTS';
export const ESCALATIONS = 'C0ESCAL';
export const APPROVER = 'U0APPROVER';
export const STRANGER = 'U0STRANGER';
export const ASKER = 'U0ASKER';
/** The alerting integration (e.g. Alertmanager) that posts into the alert channel. */
export const ALERT_BOT = 'B0ALERTMGR';

export type Ack = { status: number; ms: number; error: string | null };

async function signed(
  url: string,
  body: string,
  type: 'application/json' | 'application/x-www-form-urlencoded',
): Promise<Ack> {
  const started = performance.now();
  try {
    const { status, ms } = await postSigned(url, SIGNING_SECRET, body, type);
    return { status, ms, error: null };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return {
      status: 0,
      ms: performance.now() - started,
      error: cause instanceof Error ? cause.message : String(cause),
    };
  }
}

/** An Events API delivery; the HTTP round trip is Slack's 3-second ack. */
export function sendEvent(url: string, event: Record<string, unknown>, eventId: string) {
  return signed(url, eventEnvelope(event, eventId), 'application/json');
}

export function sendCommand(
  url: string,
  fields: { text: string; user: string; channel: string; responseUrl: string },
) {
  return signed(
    url,
    commandBody({
      text: fields.text,
      user_id: fields.user,
      channel_id: fields.channel,
      response_url: fields.responseUrl,
    }),
    'application/x-www-form-urlencoded',
  );
}

export function sendClick(url: string, fields: Parameters<typeof clickBody>[0]) {
  return signed(url, clickBody(fields), 'application/x-www-form-urlencoded');
}

/** Environment for a replica talking to this fake Slack (the rest comes from the phase). */
export function slackEnv(slack: FakeSlack): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ALERT_CHANNELS: ALERTS,
    APPROVERS: APPROVER,
    ESCALATION_CHANNEL: ESCALATIONS,
  };
}

export type Brief = {
  channel: string;
  /** The thread it is in; null for a top-level message (a slash command's). */
  threadTs: string | null;
  messageTs: string;
  /**
   * When the fake Slack received the write that put the first brief on screen — the preliminary
   * one, with a model configured (ms since the epoch).
   */
  firstAt: number;
  /** When it received the final brief's first write (ms since the epoch). */
  at: number;
  /** The restart proposal its Approve button carries, if any. */
  proposalId: string | null;
};

type Posted = { channel: string; threadTs: string | null; at: number };

const isHeader = (call: SlackCall) => blocksOf(call).some((b) => b.type === 'header');
/** The rules planner's brief shown while the model reasons, replaced in place by the final one. */
const isPreliminary = (call: SlackCall) => str(call.args.text)?.startsWith('Preliminary:') === true;

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * Reads the fake Slack's calls as they come: every message the bot posted (by ts) and the first
 * write of each brief — a chat.update with a header on a progress message, or a posted brief —
 * and, with a model configured, of the preliminary brief before it.
 */
export class SlackLedger {
  private readonly slack: FakeSlack;
  private seen = 0;
  private readonly posted = new Map<string, Posted>();
  private readonly briefsByMessage = new Map<string, Brief>();
  /** When a preliminary brief first showed on each message. */
  private readonly firstSeen = new Map<string, number>();

  constructor(slack: FakeSlack) {
    this.slack = slack;
  }

  /** Takes in the calls made since the last look. */
  refresh(): void {
    const calls = this.slack.calls;
    for (; this.seen < calls.length; this.seen++) {
      const call = calls[this.seen];
      if (call) this.take(call);
    }
  }

  private take(call: SlackCall): void {
    const channel = str(call.args.channel);
    if (!channel) return;
    if (call.method === 'chat.postMessage') {
      const ts = str(call.result?.ts);
      if (!ts) return;
      const threadTs = str(call.args.thread_ts);
      this.posted.set(ts, { channel, threadTs, at: call.at });
      if (isHeader(call)) this.addBrief(call, channel, threadTs, ts);
    } else if (call.method === 'chat.update' && isHeader(call)) {
      const ts = str(call.args.ts);
      if (!ts) return;
      this.addBrief(call, channel, this.posted.get(ts)?.threadTs ?? null, ts);
    } else if (call.method === 'chat.delete') {
      // A duplicate that lost a race was removed: it no longer counts as a message or a brief.
      const ts = str(call.args.ts);
      if (!ts) return;
      this.posted.delete(ts);
      this.briefsByMessage.delete(ts);
    }
  }

  private addBrief(call: SlackCall, channel: string, threadTs: string | null, ts: string): void {
    if (isPreliminary(call)) {
      if (!this.firstSeen.has(ts)) this.firstSeen.set(ts, call.at);
      return;
    }
    if (this.briefsByMessage.has(ts)) return;
    const approve = buttonsOf(call).find((b) => b.action_id === 'approve_restart');
    this.briefsByMessage.set(ts, {
      channel,
      threadTs,
      messageTs: ts,
      firstAt: this.firstSeen.get(ts) ?? call.at,
      at: call.at,
      proposalId: typeof approve?.value === 'string' ? approve.value : null,
    });
  }

  /** Every brief so far, first write of each; one per thread (a thread's first brief counts). */
  briefs(): Brief[] {
    this.refresh();
    const byThread = new Map<string, Brief>();
    for (const b of [...this.briefsByMessage.values()].sort((x, y) => x.at - y.at)) {
      const key = `${b.channel}:${b.threadTs ?? b.messageTs}`;
      if (!byThread.has(key)) byThread.set(key, b);
    }
    return [...byThread.values()];
  }

  /** The brief in a thread (a mention's, an alert's), or in a channel with no thread (a command's). */
  briefIn(channel: string, threadTs: string | null): Brief | undefined {
    return this.briefs().find((b) => b.channel === channel && b.threadTs === threadTs);
  }

  /** The short replies that point a folded alert at its storm's parent, in `channel`. */
  pointers(channel: string): { threadTs: string; at: number }[] {
    return this.slack
      .callsTo('chat.postMessage')
      .filter(
        (c) =>
          c.args.channel === channel &&
          typeof c.args.thread_ts === 'string' &&
          String(c.args.text ?? '').startsWith('🔗 Same cause as'),
      )
      .map((c) => ({ threadTs: String(c.args.thread_ts), at: c.at }));
  }

  /** Messages the bot posted in `channel` in the thread of `threadTs`, in order. */
  postsInThread(channel: string, threadTs: string): { ts: string; at: number }[] {
    this.refresh();
    return [...this.posted]
      .filter(([, p]) => p.channel === channel && p.threadTs === threadTs)
      .map(([ts, p]) => ({ ts, at: p.at }));
  }

  /** Resolves with the brief once `find` sees it, or null after `timeoutMs`. */
  async waitForBrief(find: () => Brief | undefined, timeoutMs: number): Promise<Brief | null> {
    const found = find();
    if (found) return found;
    try {
      await this.slack.waitFor(() => find() !== undefined, timeoutMs, 'a brief');
    } catch {
      return null;
    }
    return find() ?? null;
  }
}

/** Chat writes (new messages, edits and deletions) per channel; Slack limits new messages to ~1/s per channel. */
export function chatWrites(
  slack: FakeSlack,
  since: number,
): { channel: string; at: number; post: boolean }[] {
  return slack.calls.flatMap((c) => {
    const channel = str(c.args.channel);
    return ['chat.postMessage', 'chat.update', 'chat.delete'].includes(c.method) &&
      channel &&
      c.at >= since
      ? [{ channel, at: c.at, post: c.method === 'chat.postMessage' }]
      : [];
  });
}
