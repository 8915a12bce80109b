import {
  createServer,
  type IncomingHttpHeaders,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { estimatePromptTokens } from './prompt-tokens.ts';

/**
 * A scripted OpenAI-compatible chat completions server on loopback: a real HTTP server, so the
 * real SDK and the real fetch run against it and tests need no global mocking.
 */

export type Usage = { prompt_tokens: number; completion_tokens: number };

/** What the server answers to one request. */
export type FakeReply = {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a string, which is sent as is. */
  body?: unknown;
  /** Wait this long before answering (added to the server's `latencyMs`). */
  delayMs?: number;
  /** Never answer; the connection stays open until the client gives up or the server closes. */
  hang?: boolean;
  /**
   * Sent as these separate writes (after the headers), each in its own tick, instead of `body`:
   * a stream whose events and lines are split across network reads as real servers' are.
   */
  bodyParts?: readonly string[];
  /** With `bodyParts`: the connection is cut after the last part instead of the body ending. */
  cut?: boolean;
  /** With `bodyParts`: the body never ends after the last part (a server that stalls mid-answer). */
  stall?: boolean;
};

/** The parts of a chat completions request tests look at; everything else is kept too. */
export type ChatRequestBody = {
  model: string;
  messages: Array<{
    role: string;
    content?: unknown;
    tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
    tool_call_id?: string;
  }>;
  tools?: Array<{
    type: string;
    function: { name: string; description?: string; parameters?: unknown };
  }>;
  [key: string]: unknown;
};

export type RecordedRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: ChatRequestBody;
  /** 0-based position among the requests this server received. */
  index: number;
};

/** One scripted answer: canned, or computed from the request. */
export type FakeStep = FakeReply | ((request: RecordedRequest) => FakeReply | Promise<FakeReply>);

export type FakeOpenAiOptions = {
  /** Added to every reply's delay: a stand-in for model latency (benchmarks). */
  latencyMs?: number;
  /** Answers every request once the script has run out. Default: HTTP 500 "script exhausted". */
  whenExhausted?: FakeStep;
  /** Answers GET …/models (listing models). Default: a list holding fake-model. */
  models?: FakeStep;
  /**
   * Reports each completion's prompt tokens as estimated from its request (characters / 4),
   * instead of the reply's fixed usage: for figures about prompt size (benchmarks).
   */
  estimateUsage?: boolean;
};

export const DEFAULT_USAGE: Usage = { prompt_tokens: 100, completion_tokens: 20 };

let completionCounter = 0;
let toolCallCounter = 0;

/** A chat completion body with one choice. */
export function completion(
  message: { content: string | null; tool_calls?: unknown[] },
  usage: Usage = DEFAULT_USAGE,
  model = 'fake-model',
): Record<string, unknown> {
  completionCounter++;
  return {
    id: `chatcmpl-fake-${completionCounter}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', refusal: null, ...message },
        finish_reason: message.tool_calls?.length ? 'tool_calls' : 'stop',
        logprobs: null,
      },
    ],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

/** An assistant message calling tools. `args` may be a raw string, to send arguments that are not JSON. */
export function toolCallReply(
  calls: ReadonlyArray<{ name: string; args: unknown; id?: string }>,
  options: { usage?: Usage; content?: string | null } = {},
): FakeReply {
  const tool_calls = calls.map((c) => ({
    id: c.id ?? `call_${++toolCallCounter}`,
    type: 'function',
    function: {
      name: c.name,
      arguments: typeof c.args === 'string' ? c.args : JSON.stringify(c.args),
    },
  }));
  return {
    status: 200,
    body: completion({ content: options.content ?? null, tool_calls }, options.usage),
  };
}

/** An assistant message with content and no tool calls: an object is sent as its JSON. */
export function finalReply(answer: unknown, options: { usage?: Usage } = {}): FakeReply {
  const content = typeof answer === 'string' ? answer : JSON.stringify(answer);
  return { status: 200, body: completion({ content }, options.usage) };
}

/**
 * An error in the OpenAI error shape. Without a message it says only its status line's words
 * ("Internal Server Error"), as a bare proxy or a framework default does: nothing to quote.
 */
export function errorReply(
  status: number,
  headers: Record<string, string> = {},
  message = STATUS_CODES[status] ?? `HTTP ${status}`,
): FakeReply {
  return {
    status,
    headers,
    body: { error: { message, type: 'fake_error', param: null, code: null } },
  };
}

/** A request that is never answered. */
export function hang(): FakeReply {
  return { status: 200, hang: true };
}

/** Chat completions under any prefix: /v1, /openai/deployments/<name> (Azure), a gateway's path. */
const CHAT = /\/chat\/completions$/;
const MODELS = /\/models$/;

export class FakeOpenAi {
  /** Requests being answered right now, and the most there ever were (for concurrency bounds). */
  inFlight = 0;
  maxInFlight = 0;
  /** Every chat request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Every GET …/models received. */
  readonly modelListings: RecordedRequest[] = [];
  /** Base URL for the SDK, e.g. http://127.0.0.1:PORT/v1 */
  readonly url: string;
  private readonly script: FakeStep[];
  private readonly options: FakeOpenAiOptions;
  private readonly server: ReturnType<typeof createServer>;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    server: ReturnType<typeof createServer>,
    url: string,
    script: FakeStep[],
    options: FakeOpenAiOptions,
  ) {
    this.server = server;
    this.url = url;
    this.script = script;
    this.options = options;
  }

  static async start(
    script: FakeStep[] = [],
    options: FakeOpenAiOptions = {},
  ): Promise<FakeOpenAi> {
    let instance: FakeOpenAi | undefined;
    const server = createServer((req, res) => {
      void instance?.handle(req.method ?? 'GET', req.url ?? '/', req.headers, req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new FakeOpenAi(server, `http://127.0.0.1:${port}/v1`, [...script], options);
    return instance;
  }

  /** Appends steps to the script. */
  push(...steps: FakeStep[]): void {
    this.script.push(...steps);
  }

  /** Steps not yet used. */
  get remaining(): number {
    return this.script.length;
  }

  /** The last request received; throws when there is none. */
  get lastRequest(): RecordedRequest {
    const last = this.requests.at(-1);
    if (!last) throw new Error('fake-openai: no request received');
    return last;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
    req: AsyncIterable<Buffer>,
    res: ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk);
    const parsedUrl = new URL(url, 'http://fake');
    const path = parsedUrl.pathname;
    const query = parsedUrl.searchParams;
    if (method === 'GET' && MODELS.test(path)) {
      const listing: RecordedRequest = {
        method,
        path,
        query,
        headers,
        body: { model: '', messages: [] },
        index: this.modelListings.length,
      };
      this.modelListings.push(listing);
      const step = this.options.models ?? {
        status: 200,
        body: { object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: 'fake' }] },
      };
      this.send(res, typeof step === 'function' ? await step(listing) : step);
      return;
    }
    if (method !== 'POST' || !CHAT.test(path)) {
      this.send(res, errorReply(404, {}, `fake-openai: no route ${method} ${path}`));
      return;
    }
    let body: ChatRequestBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestBody;
    } catch {
      this.send(res, errorReply(400, {}, 'fake-openai: request body is not JSON'));
      return;
    }
    const request: RecordedRequest = {
      method,
      path,
      query,
      headers,
      body,
      index: this.requests.length,
    };
    this.requests.push(request);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.once('close', () => {
      this.inFlight -= 1;
    });
    const step =
      this.script.shift() ??
      this.options.whenExhausted ??
      errorReply(500, {}, 'fake-openai: script exhausted');
    let reply: FakeReply;
    try {
      reply = typeof step === 'function' ? await step(request) : step;
    } catch (error) {
      reply = errorReply(500, {}, `fake-openai: step threw: ${String(error)}`);
    }
    const delay = (reply.delayMs ?? 0) + (this.options.latencyMs ?? 0);
    if (reply.hang) {
      this.hanging.add(res);
      res.once('close', () => this.hanging.delete(res));
      return;
    }
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    this.send(res, this.options.estimateUsage ? withEstimatedUsage(reply, request) : reply);
  }

  private send(res: ServerResponse, reply: FakeReply): void {
    if (res.destroyed) return;
    if (reply.bodyParts) {
      res.writeHead(reply.status, { 'content-type': 'text/event-stream', ...reply.headers });
      if (reply.stall) {
        this.hanging.add(res);
        res.once('close', () => this.hanging.delete(res));
      }
      void (async () => {
        for (const part of reply.bodyParts ?? []) {
          if (res.destroyed) return;
          res.write(part);
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (reply.cut) res.destroy();
        else if (!reply.stall) res.end();
      })();
      return;
    }
    const text =
      reply.body === undefined
        ? ''
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
      ...reply.headers,
    });
    res.end(text);
  }
}

/** The reply with its usage's prompt tokens estimated from the request it answers. */
function withEstimatedUsage(reply: FakeReply, request: RecordedRequest): FakeReply {
  const body = reply.body;
  if (!body || typeof body !== 'object' || !('usage' in body)) return reply;
  const usage = (body as { usage?: Partial<Usage> }).usage;
  const prompt_tokens = estimatePromptTokens(request);
  const completion_tokens = usage?.completion_tokens ?? 0;
  return {
    ...reply,
    body: {
      ...body,
      usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
    },
  };
}
