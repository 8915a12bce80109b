import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Pacer } from './pacer.ts';

export type SlackMessage = { text: string; blocks?: KnownBlock[] };

/** The Web API calls the writer makes; the Bolt app's WebClient satisfies it. */
export type ChatClient = Pick<WebClient, 'chat'>;

export type WriterOptions = {
  /** When each write to a channel may start: a LocalPacer, or a StorePacer shared by replicas. */
  pacer: Pacer;
  /** Longest total wait for rate limits on one write before giving up on it. */
  maxRateLimitWaitMs: number;
  onRateLimited?: (channel: string, retryAfterSeconds: number) => void;
  now?: () => number;
};

export class SlackWriteError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SlackWriteError';
    this.code = code;
  }
}

type Task = {
  /** Updates of one message share a key: a queued update is replaced by a newer one. */
  key: string | null;
  run: () => Promise<unknown>;
  settle: { resolve: (value: unknown) => void; reject: (error: unknown) => void }[];
  waitedMs: number;
};

type Lane = { tasks: Task[]; busy: boolean; inFlight: boolean };

/** The `error` of a Slack platform error or the code of a client error, for decisions and messages. */
export function slackErrorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const data = (error as { data?: { error?: unknown } }).data;
    if (data && typeof data.error === 'string') return data.error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return 'unknown_error';
}

function retryAfterSeconds(error: unknown): number | null {
  if (slackErrorCode(error) !== 'slack_webapi_rate_limited_error') return null;
  const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
  return typeof retryAfter === 'number' ? retryAfter : 1;
}

/**
 * Every chat write the bot makes goes through here: one lane per channel, spaced to Slack's
 * per-channel rate, waiting out 429s (bounded), and coalescing updates of one message so a burst of
 * progress becomes one call. Ephemeral replies skip the lanes: they are per user and urgent.
 */
export class SlackWriter {
  private readonly client: ChatClient;
  private readonly options: WriterOptions;
  private readonly lanes = new Map<string, Lane>();
  private readonly now: () => number;

  constructor(client: ChatClient, options: WriterOptions) {
    this.client = client;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  async post(
    channel: string,
    message: SlackMessage,
    options: { threadTs?: string | null } = {},
  ): Promise<{ ts: string }> {
    const result = (await this.enqueue(channel, null, () =>
      this.client.chat.postMessage({
        channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
        ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    )) as { ts?: string };
    if (!result.ts)
      throw new SlackWriteError('no_ts', `chat.postMessage to ${channel} returned no ts`);
    return { ts: result.ts };
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.enqueue(channel, `update:${ts}`, () =>
      this.client.chat.update({
        channel,
        ts,
        text: message.text,
        blocks: message.blocks ?? [],
      }),
    );
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

  /** Removes one of the bot's own messages (a duplicate progress message that lost a race). */
  async delete(channel: string, ts: string): Promise<void> {
    await this.enqueue(channel, null, () => this.client.chat.delete({ channel, ts }));
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
    channel: string,
    key: string | null,
    run: () => Promise<unknown>,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const lane = this.lanes.get(channel) ?? { tasks: [], busy: false, inFlight: false };
      this.lanes.set(channel, lane);
      const queued = key ? lane.tasks.find((t) => t.key === key) : undefined;
      if (queued) {
        // The newer content wins; both callers learn the outcome of the one call made.
        queued.run = run;
        queued.settle.push({ resolve, reject });
      } else {
        lane.tasks.push({ key, run, settle: [{ resolve, reject }], waitedMs: 0 });
      }
      void this.drain(channel, lane);
    });
  }

  private async drain(channel: string, lane: Lane): Promise<void> {
    if (lane.busy) return;
    lane.busy = true;
    try {
      for (let task = lane.tasks[0]; task; task = lane.tasks[0]) {
        const wait = (await this.options.pacer.reserve(channel)) - this.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        // Coalescing may have replaced the task's call while we waited; take it off only now.
        lane.tasks.shift();
        lane.inFlight = true;
        try {
          const result = await task.run();
          for (const s of task.settle) s.resolve(result);
        } catch (error) {
          const retryAfter = retryAfterSeconds(error);
          const pause = retryAfter === null ? 0 : retryAfter * 1000;
          if (retryAfter !== null && task.waitedMs + pause <= this.options.maxRateLimitWaitMs) {
            this.options.onRateLimited?.(channel, retryAfter);
            task.waitedMs += pause;
            await this.options.pacer.penalize(channel, pause);
            lane.tasks.unshift(task);
            continue;
          }
          for (const s of task.settle) s.reject(error);
        } finally {
          lane.inFlight = false;
        }
      }
    } finally {
      lane.busy = false;
      if (lane.tasks.length === 0) this.lanes.delete(channel);
    }
  }
}
