import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSocketMode } from './fake-socket-mode.ts';

/** One Web API call the bot made, with its arguments decoded (form or JSON, nested JSON parsed). */
export type SlackCall = {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** What the fake answered (a posted message's ts, an error). */
  result?: Record<string, unknown>;
};

export type FakeFailure = (
  | { error: string; times?: number }
  | { status: 429; retryAfter: number; times?: number }
  | { status: 500; times?: number }
  /** Answers normally, but only after `delayMs` (a Slack that stalls). */
  | { delayMs: number; times?: number }
) & {
  /** Only calls whose arguments this accepts fail (a message with markdown blocks, say). */
  when?: (args: Record<string, unknown>) => boolean;
};

const BOT = {
  user_id: 'UBOT',
  bot_id: 'BBOT',
  team_id: 'T0TEAM',
  user: 'level-zero-operator',
} as const;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Form values the WebClient JSON-encodes (blocks, attachments) come back as objects. */
function decode(body: string, contentType: string | undefined): Record<string, unknown> {
  if (!body) return {};
  if (contentType?.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    try {
      args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      args[key] = value;
    }
  }
  return args;
}

/**
 * A stand-in for the Slack Web API on 127.0.0.1, and for response_url endpoints. It records every
 * call, answers the methods the bot uses the way Slack does, and fails on request.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly responses: { path: string; body: Record<string, unknown> }[] = [];
  /** usergroups.users.list answers from here. */
  readonly groups = new Map<string, string[]>();
  private readonly failures = new Map<string, FakeFailure[]>();
  private readonly server: Server;
  private tsCounter = 100;
  private socket: FakeSocketMode | null = null;
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];

  private constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500).end(String(error));
      });
    });
  }

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Turns on Socket Mode: apps.connections.open hands out this server's WebSocket URL. */
  socketMode(): FakeSocketMode {
    this.socket ??= new FakeSocketMode(this.server, '/socket');
    return this.socket;
  }

  /** The value for SLACK_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  /** Makes the next call(s) to `method` fail. */
  fail(method: string, failure: FakeFailure): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), failure]);
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves once `predicate` holds (checked after every call), or rejects after `timeoutMs`. */
  waitFor(
    predicate: (fake: FakeSlack) => boolean,
    timeoutMs = 10_000,
    what = 'condition',
  ): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(
            `fake Slack: timed out waiting for ${what}; calls: ${this.calls.map((c) => c.method).join(', ')}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ predicate: () => predicate(this), resolve: done });
    });
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => w.predicate());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `1700000000.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private takeFailure(method: string, args: Record<string, unknown>): FakeFailure | undefined {
    const queue = this.failures.get(method);
    const failure = queue?.[0];
    if (!failure || !queue) return undefined;
    if (failure.when && !failure.when(args)) return undefined;
    const times = (failure.times ?? 1) - 1;
    if (times <= 0) queue.shift();
    else queue[0] = { ...failure, times };
    return failure;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = decode(await readBody(req), req.headers['content-type']);
    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(payload));
    };

    if (url.pathname.startsWith('/response/')) {
      this.responses.push({ path: url.pathname, body });
      json(200, { ok: true });
      this.notify();
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const call: SlackCall = { method, args: body, at: Date.now() };
    this.calls.push(call);
    let failure = this.takeFailure(method, body);
    if (failure && 'delayMs' in failure) {
      const { delayMs } = failure;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      failure = undefined;
    }
    try {
      if (failure && 'status' in failure) {
        if (failure.status === 429)
          json(
            429,
            { ok: false, error: 'ratelimited' },
            { 'retry-after': String(failure.retryAfter) },
          );
        else json(500, { ok: false, error: 'internal_error' });
        return;
      }
      if (failure) {
        call.result = { ok: false, error: failure.error };
        json(200, call.result);
        return;
      }
      call.result = this.answer(method, body);
      json(200, call.result);
    } finally {
      this.notify();
    }
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'apps.connections.open':
        return this.socket
          ? { ok: true, url: `ws://127.0.0.1:${this.port}/socket` }
          : { ok: false, error: 'not_allowed_token_type' };
      case 'auth.test':
        return { ok: true, url: 'https://example.slack.com/', team: 'Example', ...BOT };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        return {
          ok: true,
          channel: args.channel,
          ts,
          message: { ts, text: args.text, bot_id: BOT.bot_id },
        };
      }
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel: args.channel,
          permalink: `https://example.slack.com/archives/${String(args.channel)}/p${String(args.message_ts).replace('.', '')}`,
        };
      case 'usergroups.users.list':
        return { ok: true, users: this.groups.get(String(args.usergroup)) ?? [] };
      case 'views.open':
      case 'views.push':
        return {
          ok: true,
          view: { id: `V${this.nextTs().replace('.', '')}`, ...(args.view as object) },
        };
      case 'views.update':
        return { ok: true, view: { id: args.view_id, ...(args.view as object) } };
      case 'views.publish':
        return { ok: true, view: { id: `V${String(args.user_id)}`, ...(args.view as object) } };
      default:
        return { ok: true };
    }
  }

  async close(): Promise<void> {
    this.socket?.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>"). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export type SignedPost = {
  /** Seconds since the epoch; default now. A stale one (> 5 min old) must be refused. */
  timestamp?: number;
  /** Sign with this secret instead of the bot's (a forged request). */
  secret?: string;
  headers?: Record<string, string>;
};

/** Posts a correctly signed request to the bot's /slack/events, as Slack does. */
export async function postSigned(
  url: string,
  secret: string,
  body: string,
  contentType: 'application/json' | 'application/x-www-form-urlencoded',
  options: SignedPost = {},
): Promise<{ status: number; text: string; ms: number }> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(options.secret ?? secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

let eventCounter = 0;

/** An Events API envelope around `event`. */
export function eventEnvelope(
  event: Record<string, unknown>,
  eventId = `Ev${++eventCounter}`,
): string {
  return JSON.stringify({
    token: 'unused',
    team_id: 'T0TEAM',
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event,
  });
}

let triggerCounter = 0;

/** A trigger_id as Slack makes one: unique per interaction. */
function nextTriggerId(): string {
  triggerCounter += 1;
  return `${Date.now()}.${triggerCounter}.${Math.random().toString(16).slice(2, 10)}`;
}

/** A slash command as Slack posts it (form-encoded), with a trigger_id of its own unless given. */
export function commandBody(fields: {
  text: string;
  user_id: string;
  channel_id: string;
  response_url: string;
  trigger_id?: string;
}): string {
  return new URLSearchParams({
    token: 'unused',
    team_id: 'T0TEAM',
    team_domain: 'example',
    channel_name: 'ops',
    user_name: 'someone',
    command: '/triage',
    api_app_id: 'A0APP',
    trigger_id: nextTriggerId(),
    ...fields,
  }).toString();
}

/**
 * A block_actions payload for a button click (form-encoded `payload=`): on the bot's message, or,
 * with `view`, inside a modal or the Home tab (no channel, no message, no response_url).
 */
export function viewClickBody(fields: {
  actionId: string;
  value: string;
  userId: string;
  view: { id: string; type: 'modal' | 'home'; private_metadata?: string };
  triggerId?: string;
}): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEAM', domain: 'example' },
    user: { id: fields.userId, username: 'someone', team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    token: 'unused',
    trigger_id: fields.triggerId ?? '1.2.3',
    container: { type: 'view', view_id: fields.view.id },
    view: { ...fields.view, private_metadata: fields.view.private_metadata ?? '', blocks: [] },
    actions: [
      {
        type: 'button',
        action_id: fields.actionId,
        block_id: `lzo_restart_actions.${fields.value}`,
        value: fields.value,
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A block_actions payload for a button click on the bot's message (form-encoded `payload=`). */
export function clickBody(fields: {
  actionId: 'approve_restart' | 'deny_restart' | 'open_full_brief';
  value: string;
  userId: string;
  channel: string;
  messageTs: string;
  threadTs?: string;
  responseUrl: string;
  /** A private message (`/triage list`'s answer). */
  ephemeral?: boolean;
  triggerId?: string;
}): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEAM', domain: 'example' },
    user: { id: fields.userId, username: 'someone', team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    token: 'unused',
    trigger_id: fields.triggerId ?? '1.2.3',
    container: {
      type: 'message',
      message_ts: fields.messageTs,
      channel_id: fields.channel,
      is_ephemeral: fields.ephemeral ?? false,
    },
    channel: { id: fields.channel, name: 'ops' },
    message: {
      type: 'message',
      ts: fields.messageTs,
      thread_ts: fields.threadTs,
      bot_id: 'BBOT',
      text: 'brief',
      blocks: [],
    },
    response_url: fields.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: fields.actionId,
        block_id: `lzo_restart_actions.${fields.value}`,
        value: fields.value,
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
