import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { errorCode, OperatorError } from '../domain/errors.ts';
import type { Pacer } from './pacer.ts';

export type SlackMessage = {
  text: string;
  blocks?: KnownBlock[];
  /**
   * The same content in classic blocks (sections, context), for a workspace that refuses newer
   * ones (`markdown`, `table`) with invalid_blocks: the writer re-sends with these, and from then on
   * sends these first.
   */
  classic?: KnownBlock[];
};

/** The errors Slack answers a block type it does not take with. */
const REFUSED_BLOCKS = new Set(['invalid_blocks', 'invalid_blocks_format']);

/** The Web API calls the writer makes; the Bolt app's WebClient satisfies it. */
export type ChatClient = Pick<WebClient, 'chat'> & Partial<Pick<WebClient, 'reactions'>>;

/**
 * What waits for what in a busy channel: a brief, a decision or an escalation ('high') goes
 * before progress and "+N more alerts" counters ('low'), which only say the bot is busy.
 */
export type Priority = 'high' | 'low';

export type WriterOptions = {
  /** When each new message in a channel may go out: a LocalPacer, or a StorePacer shared by replicas. */
  pacer: Pacer;
  /**
   * When each edit (update, delete) may go out; Slack budgets chat.update per workspace (about 50 a
   * minute). Unset = edits are not paced.
   */
  editPacer?: Pacer;
  /**
   * When each reaction may go out; Slack budgets reactions.add per workspace (Tier 3, about 50 a
   * minute). Unset = reactions are not paced.
   */
  reactionPacer?: Pacer;
  /** Longest total wait for rate limits on one write before giving up on it. */
  maxRateLimitWaitMs: number;
  onRateLimited?: (channel: string, retryAfterSeconds: number) => void;
  /** Slack refused newer blocks once; classic ones are sent from now on. */
  onNewerBlocksRefused?: (error: unknown) => void;
  now?: () => number;
};

export class SlackWriteError extends OperatorError {}

/** How late a new message may start after its slot before it takes a fresh one. */
const LATE_SLOT_MS = 100;
const MAX_SLOT_RETRIES = 2;

type Task = {
  /** Updates of one message share a key: a queued update is replaced by a newer one. */
  key: string | null;
  priority: Priority;
  run: () => Promise<unknown>;
  settle: { resolve: (value: unknown) => void; reject: (error: unknown) => void }[];
  waitedMs: number;
};

/** New messages wait for the channel's pace; edits of existing messages do not; reactions have their own. */
type LaneKind = 'posts' | 'edits' | 'reactions';

type Lane = { kind: LaneKind; channel: string; tasks: Task[]; busy: boolean; inFlight: boolean };

function retryAfterSeconds(error: unknown): number | null {
  if (errorCode(error) !== 'slack_webapi_rate_limited_error') return null;
  const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
  return typeof retryAfter === 'number' ? retryAfter : 1;
}

/**
 * Every chat write the bot makes goes through here. Per channel, new messages go out one at a time
 * at the channel's pace (Slack allows about one a second per channel, shared by every replica);
 * edits of messages already posted are not paced that way but are coalesced, so a burst of
 * progress becomes one call. In both, a brief or a decision goes before progress and counters, and
 * a 429 is waited out (bounded). Ephemeral replies skip the lanes: they are per user and urgent.
 */
export class SlackWriter {
  private readonly client: ChatClient;
  private readonly options: WriterOptions;
  private readonly lanes = new Map<string, Lane>();
  private readonly now: () => number;
  /** Set once Slack refused a message's newer blocks; this workspace gets classic ones after. */
  private newerBlocksRefused = false;

  constructor(client: ChatClient, options: WriterOptions) {
    this.client = client;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /**
   * Posts a new message. With `unless`, the post is skipped (null) when the condition holds at the
   * moment its turn comes — a progress message nobody needs any more, for example.
   */
  post(
    channel: string,
    message: SlackMessage,
    options?: { threadTs?: string | null; priority?: Priority },
  ): Promise<{ ts: string }>;
  post(
    channel: string,
    message: SlackMessage,
    options: { threadTs?: string | null; priority?: Priority; unless: () => Promise<boolean> },
  ): Promise<{ ts: string } | null>;
  async post(
    channel: string,
    message: SlackMessage,
    options: {
      threadTs?: string | null;
      priority?: Priority;
      unless?: () => Promise<boolean>;
    } = {},
  ): Promise<{ ts: string } | null> {
    const result = (await this.enqueue(
      'posts',
      channel,
      null,
      options.priority ?? 'high',
      async () => {
        if (options.unless && (await options.unless())) return null;
        return this.withClassicFallback(message, (blocks) =>
          this.client.chat.postMessage({
            channel,
            text: message.text,
            ...(blocks ? { blocks } : {}),
            ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
            unfurl_links: false,
            unfurl_media: false,
          }),
        );
      },
    )) as { ts?: string } | null;
    if (result === null) return null;
    if (!result.ts)
      throw new SlackWriteError('no_ts', `chat.postMessage to ${channel} returned no ts`);
    return { ts: result.ts };
  }

  async update(
    channel: string,
    ts: string,
    message: SlackMessage,
    options: { priority?: Priority } = {},
  ): Promise<void> {
    await this.enqueue('edits', channel, `update:${ts}`, options.priority ?? 'high', () =>
      this.withClassicFallback(message, (blocks) =>
        this.client.chat.update({ channel, ts, text: message.text, blocks: blocks ?? [] }),
      ),
    );
  }

  /** Sends the message's blocks, or its classic ones when Slack refuses the newer kinds. */
  private async withClassicFallback<T>(
    message: SlackMessage,
    send: (blocks: KnownBlock[] | undefined) => Promise<T>,
  ): Promise<T> {
    if (!message.classic) return send(message.blocks);
    if (this.newerBlocksRefused) return send(message.classic);
    try {
      return await send(message.blocks);
    } catch (error) {
      if (!REFUSED_BLOCKS.has(errorCode(error))) throw error;
      this.newerBlocksRefused = true;
      this.options.onNewerBlocksRefused?.(error);
      return send(message.classic);
    }
  }

  /** Removes one of the bot's own messages (a duplicate that lost a race). */
  async delete(channel: string, ts: string): Promise<void> {
    await this.enqueue('edits', channel, `update:${ts}`, 'low', () =>
      this.client.chat.delete({ channel, ts }),
    );
  }

  /**
   * Adds a reaction to a message: the cheapest answer Slack has (no new message, no edit). Best
   * effort: a reaction already there, or a message gone, is not an error.
   */
  async react(channel: string, ts: string, name: string): Promise<void> {
    const reactions = this.client.reactions;
    if (!reactions) return;
    try {
      await this.enqueue('reactions', channel, `react:${ts}:${name}`, 'low', () =>
        reactions.add({ channel, timestamp: ts, name }),
      );
    } catch (error) {
      if (['already_reacted', 'message_not_found', 'too_many_reactions'].includes(errorCode(error)))
        return;
      throw error;
    }
  }

  async ephemeral(
    channel: string,
    user: string,
    message: SlackMessage,
    options: { threadTs?: string | null } = {},
  ): Promise<void> {
    await this.client.chat.postEphemeral({
      channel,
      user,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    });
  }

  async permalink(channel: string, ts: string): Promise<string | null> {
    try {
      const result = await this.client.chat.getPermalink({ channel, message_ts: ts });
      return result.permalink ?? null;
    } catch {
      return null;
    }
  }

  /** Writes still waiting in any lane (for the metrics endpoint and tests). */
  get pending(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.tasks.length + (lane.inFlight ? 1 : 0);
    return n;
  }

  private enqueue(
    kind: LaneKind,
    channel: string,
    key: string | null,
    priority: Priority,
    run: () => Promise<unknown>,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = `${kind}:${channel}`;
      const lane = this.lanes.get(id) ?? { kind, channel, tasks: [], busy: false, inFlight: false };
      this.lanes.set(id, lane);
      const queued = key ? lane.tasks.find((t) => t.key === key) : undefined;
      if (queued) {
        // The newer content wins; every caller learns the outcome of the one call made.
        queued.run = run;
        if (priority === 'high') queued.priority = 'high';
        queued.settle.push({ resolve, reject });
      } else {
        lane.tasks.push({ key, priority, run, settle: [{ resolve, reject }], waitedMs: 0 });
      }
      void this.drain(id, lane);
    });
  }

  /**
   * Waits for the lane's next slot. A new message woken too late for its slot (a busy event loop
   * or a slow store) takes a fresh one instead: posting late would land next to whoever holds the
   * next slot — another replica, say — and break the channel's pace.
   */
  private async waitForSlot(pacer: Pacer, lane: Lane): Promise<void> {
    let start = await pacer.reserve(lane.channel);
    for (let tries = 0; ; tries++) {
      const wait = start - this.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (lane.kind !== 'posts' || this.now() - start <= LATE_SLOT_MS || tries >= MAX_SLOT_RETRIES)
        return;
      start = await pacer.reserve(lane.channel);
    }
  }

  /** The next task: the first high-priority one, else the first. */
  private next(lane: Lane): Task | undefined {
    return lane.tasks.find((t) => t.priority === 'high') ?? lane.tasks[0];
  }

  private async drain(id: string, lane: Lane): Promise<void> {
    if (lane.busy) return;
    lane.busy = true;
    try {
      for (let task = this.next(lane); task; task = this.next(lane)) {
        const pacer =
          lane.kind === 'posts'
            ? this.options.pacer
            : lane.kind === 'edits'
              ? this.options.editPacer
              : this.options.reactionPacer;
        if (pacer) {
          await this.waitForSlot(pacer, lane);
          // A more urgent task may have arrived while waiting; it takes this slot.
          task = this.next(lane) ?? task;
        }
        lane.tasks.splice(lane.tasks.indexOf(task), 1);
        lane.inFlight = true;
        try {
          const result = await task.run();
          for (const s of task.settle) s.resolve(result);
        } catch (error) {
          const retryAfter = retryAfterSeconds(error);
          const pause = retryAfter === null ? 0 : retryAfter * 1000;
          if (retryAfter !== null && task.waitedMs + pause <= this.options.maxRateLimitWaitMs) {
            this.options.onRateLimited?.(lane.channel, retryAfter);
            task.waitedMs += pause;
            // Back in the queue first, so a newer update of the same message replaces it meanwhile.
            lane.tasks.unshift(task);
            if (pacer) await pacer.penalize(lane.channel, pause);
            else await new Promise((r) => setTimeout(r, pause));
            continue;
          }
          for (const s of task.settle) s.reject(error);
        } finally {
          lane.inFlight = false;
        }
      }
    } finally {
      lane.busy = false;
      if (lane.tasks.length === 0) this.lanes.delete(id);
    }
  }
}
