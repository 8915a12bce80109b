import { ToolError, type ToolErrorCode } from './errors.ts';

/**
 * The HTTP plumbing every HTTP backend shares (Prometheus, Loki, the restart webhook, PagerDuty):
 * an injected fetch, a timeout beside the caller's signal, a bounded body, and failures turned
 * into ToolErrors that name the backend and what to check.
 */

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export const HTTP_LIMITS = {
  /** Applied to every request even when the caller passes no signal. */
  timeoutMs: 10_000,
  /** A log query or an error page larger than this is cut off rather than buffered whole. */
  maxResponseBytes: 5 * 1024 * 1024,
  /** How much of an error body is quoted in a message. */
  maxDetailChars: 300,
} as const;

/** The URL as safe to show: no user, password or query string (tokens hide in all three). */
export function displayUrl(url: string | URL): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** fetch refuses a URL that carries credentials, so they move into an Authorization header. */
export function splitCredentials(raw: string): { url: URL; authorization: string | null } {
  const url = new URL(raw);
  if (!url.username && !url.password) return { url, authorization: null };
  const authorization = basicAuth(
    decodeURIComponent(url.username),
    decodeURIComponent(url.password),
  );
  url.username = '';
  url.password = '';
  return { url, authorization };
}

/** Joins a base URL (which may have a path prefix, e.g. behind a proxy) and an API path. */
export function joinUrl(base: URL, path: string): URL {
  const prefix = base.pathname.replace(/\/+$/, '');
  const joined = new URL(base);
  joined.pathname = `${prefix}${path}`;
  joined.search = '';
  return joined;
}

export type HttpCall = {
  fetch: FetchLike;
  url: URL;
  method: 'GET' | 'POST' | 'PATCH';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
  /** Names the backend in messages: "Prometheus at http://prom:9090". */
  target: string;
  /** What to check when it cannot be reached: "check PROMETHEUS_URL". */
  hint: string;
};

export type HttpAnswer = { status: number; headers: Headers; text: string };

function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (typeof current === 'object' && current !== null) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string') return code;
      current = (current as { cause?: unknown }).cause;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

function failure(call: HttpCall, timeout: AbortSignal, timeoutMs: number, error: unknown) {
  if (error instanceof ToolError) return error;
  if (timeout.aborted)
    return new ToolError('timeout', `${call.target} did not answer within ${timeoutMs} ms`, {
      cause: error,
    });
  if (call.signal?.aborted)
    return new ToolError('timeout', `the request to ${call.target} was cancelled (out of time)`, {
      cause: error,
    });
  return new ToolError(
    'unavailable',
    `${call.target} is unreachable (${networkCode(error)}): ${call.hint}`,
    { cause: error },
  );
}

async function readBounded(response: Response, target: string): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > HTTP_LIMITS.maxResponseBytes) {
      await response.body.cancel().catch(() => {});
      throw new ToolError(
        'unavailable',
        `${target} sent more than ${HTTP_LIMITS.maxResponseBytes / 1024 / 1024} MB; refusing to read it all`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One request, bounded in time and size. Any HTTP status is returned; only transport failures throw. */
export async function httpCall(call: HttpCall): Promise<HttpAnswer> {
  const timeoutMs = call.timeoutMs ?? HTTP_LIMITS.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
  try {
    const response = await call.fetch(call.url, {
      method: call.method,
      headers: call.headers ?? {},
      ...(call.body !== undefined ? { body: call.body } : {}),
      signal,
      // A redirect would turn a POST into a GET elsewhere; a backend URL should be the final one.
      redirect: 'manual',
    });
    const text = await readBounded(response, call.target);
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    throw failure(call, timeout, timeoutMs, error);
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function codeForStatus(status: number): ToolErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 400 || status === 422) return 'invalid_arguments';
  return 'unavailable';
}

/** "401 Unauthorized", "302 (redirect)". */
export function statusText(status: number): string {
  if (status >= 300 && status < 400) return `${status} (redirect)`;
  return REASONS[status] ? `${status} ${REASONS[status]}` : String(status);
}

/** An error body reduced to one readable line. */
export function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > HTTP_LIMITS.maxDetailChars
    ? `${line.slice(0, HTTP_LIMITS.maxDetailChars)}…`
    : line;
}

/**
 * Milliseconds a server asked us to wait, or null: `retry-after-ms` (OpenAI's servers send it),
 * else Retry-After as delay-seconds or an HTTP-date (RFC 9110, section 10.2.3).
 */
export function retryAfterMs(headers: Headers | undefined, nowMs = Date.now()): number | null {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** " (retry after 30 s)" from a Retry-After header, or "". */
export function retryAfter(headers: Headers): string {
  const ms = retryAfterMs(headers);
  return ms === null ? '' : ` (retry after ${Math.ceil(ms / 1000)} s)`;
}

export type StatusAdvice = Partial<Record<ToolErrorCode, string>>;

const DEFAULT_ADVICE: StatusAdvice = {
  unauthorized: 'check the credentials the bot uses',
  forbidden: 'the bot’s credentials lack permission',
  not_found: 'check the URL',
  rate_limited: 'try again shortly',
  unavailable: 'it is failing on its side; try again or check its status',
  timeout: 'it timed out on its side; try again',
  invalid_arguments: 'it rejected the request',
};

/** A non-2xx answer as a ToolError: backend, status, its own words, and what to check. */
export function statusError(
  target: string,
  answer: Pick<HttpAnswer, 'status' | 'headers'>,
  detail: string,
  advice: StatusAdvice = {},
): ToolError {
  const code = codeForStatus(answer.status);
  const what = advice[code] ?? DEFAULT_ADVICE[code] ?? 'unexpected answer';
  const said = detail ? ` ("${clip(detail)}")` : '';
  const wait = code === 'rate_limited' ? retryAfter(answer.headers) : '';
  return new ToolError(
    code,
    `${target} answered ${statusText(answer.status)}${said}${wait}: ${what}`,
  );
}

/** Parses JSON from a body, or returns undefined: error pages are often HTML or plain text. */
export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
