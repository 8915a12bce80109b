import { z } from 'zod';
import type { Clock } from '../../domain/clock.ts';
import type { LogSample, LogsBackend } from '../backends.ts';
import { ToolError } from '../errors.ts';
import {
  basicAuth,
  clip,
  displayUrl,
  type FetchLike,
  httpCall,
  joinUrl,
  splitCredentials,
  statusError,
  tryJson,
} from '../http.ts';
import { TOOL_LIMITS } from '../limits.ts';
import { renderQuery } from '../prometheus/promql.ts';

export type LokiOptions = {
  /** LOKI_URL; user:password in it becomes basic auth. */
  url: string;
  /** LogQL stream selector (and optional filters) with {{server}}. */
  query: string;
  lookbackMinutes: number;
  /** X-Scope-OrgID, for multi-tenant Loki (Grafana Cloud, Mimir-style gateways). */
  tenant?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  bearerToken?: string | undefined;
  fetch?: FetchLike;
  clock: Clock;
  timeoutMs?: number;
};

const QueryRangeResponse = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [
    z.object({
      resultType: z.literal('streams'),
      result: z.array(
        z.object({
          stream: z.record(z.string(), z.string()).optional(),
          values: z.array(z.tuple([z.string().regex(/^\d+$/), z.string()])),
        }),
      ),
    }),
    z.object({ resultType: z.enum(['matrix', 'vector', 'scalar']), result: z.unknown() }),
  ]),
});

const NS_PER_MS = 1_000_000n;

/**
 * Logs from Loki: the newest N lines of a server's streams within a lookback window, oldest
 * first. Redaction and line clipping happen in the tool layer; this only fetches.
 */
export class LokiLogs implements LogsBackend {
  readonly name = 'loki';
  private readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly target: string;
  private readonly options: LokiOptions;
  private readonly fetch: FetchLike;
  private readonly clock: Clock;

  constructor(options: LokiOptions) {
    this.options = options;
    const { url, authorization } = splitCredentials(options.url);
    this.base = url;
    this.target = `Loki at ${displayUrl(url)}`;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock;
    const auth = options.bearerToken
      ? `Bearer ${options.bearerToken}`
      : options.username !== undefined && options.password !== undefined
        ? basicAuth(options.username, options.password)
        : authorization;
    this.headers = {
      accept: 'application/json',
      ...(auth ? { authorization: auth } : {}),
      ...(options.tenant ? { 'x-scope-orgid': options.tenant } : {}),
    };
  }

  async fetchLogs(serverId: string, lines: number, signal?: AbortSignal): Promise<LogSample> {
    const limit = Math.min(Math.max(1, lines), TOOL_LIMITS.maxLogLines);
    const query = renderQuery(this.options.query, serverId);
    const endMs = BigInt(this.clock.now().getTime());
    const startMs = endMs - BigInt(this.options.lookbackMinutes * 60_000);
    const url = joinUrl(this.base, '/loki/api/v1/query_range');
    url.searchParams.set('query', query);
    url.searchParams.set('limit', String(limit));
    // backward: Loki returns the newest entries first, so `limit` keeps the newest, not the oldest.
    url.searchParams.set('direction', 'backward');
    url.searchParams.set('start', String(startMs * NS_PER_MS));
    url.searchParams.set('end', String(endMs * NS_PER_MS));

    const answer = await httpCall({
      fetch: this.fetch,
      url,
      method: 'GET',
      headers: this.headers,
      signal,
      ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
      target: this.target,
      hint: 'check LOKI_URL and that Loki is running',
    });
    if (answer.status < 200 || answer.status >= 300) {
      // Loki's errors are plain text ("parse error at line 1, col 5: …"), some proxies' are JSON.
      const json = tryJson(answer.text);
      const detail =
        json && typeof json === 'object' && 'message' in json && typeof json.message === 'string'
          ? json.message
          : answer.text;
      throw statusError(this.target, answer, detail, {
        unauthorized:
          'check LOKI_USERNAME/LOKI_PASSWORD or LOKI_BEARER_TOKEN, and LOKI_TENANT (a multi-tenant Loki answers 401 "no org id" without it)',
        forbidden: `the bot's Loki credentials may not read tenant ${this.options.tenant ?? '(none set)'}: check LOKI_TENANT and the credentials`,
        not_found:
          'check LOKI_URL: it is Loki’s base URL (e.g. http://loki:3100), without /loki/api/v1',
        invalid_arguments: `check LOKI_QUERY (query sent: ${query})`,
        rate_limited: 'Loki is limiting queries; try again shortly',
      });
    }
    const parsed = QueryRangeResponse.safeParse(tryJson(answer.text));
    if (!parsed.success)
      throw new ToolError(
        'unavailable',
        `${this.target} answered ${answer.status} with something that is not a Loki query response ("${clip(answer.text)}"): check LOKI_URL`,
      );
    const data = parsed.data.data;
    if (data.resultType !== 'streams')
      throw new ToolError(
        'invalid_arguments',
        `${this.target}: LOKI_QUERY is a metric query (it returned a ${data.resultType}); it must select log streams, e.g. {host="{{server}}"} (query sent: ${query})`,
      );
    const entries = data.result
      .flatMap((s) => s.values)
      .map(([ts, line]) => ({ ts: BigInt(ts), line }))
      // Several streams interleave; the newest `limit` across all of them, then oldest first.
      .sort((a, b) => (a.ts === b.ts ? 0 : a.ts > b.ts ? -1 : 1))
      .slice(0, limit)
      .reverse();
    if (entries.length === 0)
      throw new ToolError(
        'no_data',
        `${this.target} has no log lines for ${serverId} in the last ${this.options.lookbackMinutes} min (query: ${query}): are its logs shipped with that label? Adjust LOKI_QUERY or LOKI_LOOKBACK_MINUTES`,
      );
    return { lines: entries.map((e) => e.line) };
  }
}
