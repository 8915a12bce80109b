import { z } from 'zod';
import type { ServerStatus } from '../../domain/vocabulary.ts';
import type { HealthBackend, HealthSample } from '../backends.ts';
import { ToolError } from '../errors.ts';
import {
  clip,
  displayUrl,
  type FetchLike,
  httpCall,
  joinUrl,
  splitCredentials,
  statusError,
  tryJson,
} from '../http.ts';
import { renderQuery, renderUrl } from './promql.ts';

/** How a reading becomes a status when Prometheus says the server is up. */
export const PROMETHEUS_STATUS = {
  criticalPercent: 95,
  warningPercent: 85,
  /** irate jitter can read a hair over 100 %; beyond this the template is not a percentage. */
  tolerancePercent: 1,
} as const;

type Metric = 'cpu' | 'memory' | 'up';

const VARIABLE: Record<Metric, string> = {
  cpu: 'PROMETHEUS_CPU_QUERY',
  memory: 'PROMETHEUS_MEMORY_QUERY',
  up: 'PROMETHEUS_UP_QUERY',
};

export type PrometheusOptions = {
  /** PROMETHEUS_URL; user:password in it becomes basic auth. */
  url: string;
  bearerToken?: string | undefined;
  queries: Record<Metric, string>;
  /** A URL template with {{server}} for evidence links; default a Prometheus graph of the cpu query. */
  dashboardUrl?: string | undefined;
  fetch?: FetchLike;
  timeoutMs?: number;
};

const SamplePair = z.tuple([z.number(), z.string()]);

const QueryResponse = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({
        resultType: z.literal('vector'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: SamplePair })),
      }),
      z.object({ resultType: z.literal('scalar'), result: SamplePair }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal('string'), result: SamplePair }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

type Series = { labels: Record<string, string>; value: number };

/** Prometheus writes sample values as strings: "0.73", "NaN", "+Inf", "-Inf". */
function sampleValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function describeSeries(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/**
 * Health from Prometheus instant queries: cpu %, memory % and up, node_exporter by default.
 * Every failure names Prometheus, the query and the variable to check; a missing series or a
 * NaN is an error, never a zero.
 */
export class PrometheusHealth implements HealthBackend {
  readonly name = 'prometheus';
  private readonly base: URL;
  private readonly authorization: string | null;
  private readonly target: string;
  private readonly options: PrometheusOptions;
  private readonly fetch: FetchLike;

  constructor(options: PrometheusOptions) {
    this.options = options;
    const { url, authorization } = splitCredentials(options.url);
    this.base = url;
    this.authorization = options.bearerToken ? `Bearer ${options.bearerToken}` : authorization;
    this.target = `Prometheus at ${displayUrl(url)}`;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async getHealth(serverId: string, signal?: AbortSignal): Promise<HealthSample> {
    // All three at once: a slow Prometheus costs one round trip, not three.
    const [up, cpu, memory] = await Promise.allSettled([
      this.query('up', serverId, signal),
      this.query('cpu', serverId, signal),
      this.query('memory', serverId, signal),
    ]);
    if (up.status === 'rejected') throw up.reason;
    const upSeries = up.value;
    if (upSeries.length === 0) throw this.missing('up', serverId);
    const downCount = upSeries.filter((s) => s.value === 0).length;
    const allDown = downCount === upSeries.length;

    // A down server's cpu/memory series go stale; "down" is the reading, not a missing series.
    const reading = (metric: 'cpu' | 'memory', settled: typeof cpu): number => {
      if (settled.status === 'rejected') {
        if (allDown && settled.reason instanceof ToolError && settled.reason.code === 'no_data')
          return 0;
        throw settled.reason;
      }
      if (settled.value.length === 0) {
        if (allDown) return 0;
        throw this.missing(metric, serverId);
      }
      return this.percent(metric, serverId, settled.value);
    };
    const cpuValue = reading('cpu', cpu);
    const memoryValue = reading('memory', memory);

    let status: ServerStatus;
    if (allDown) status = 'down';
    else if (downCount > 0) status = 'error';
    else if (Math.max(cpuValue, memoryValue) >= PROMETHEUS_STATUS.criticalPercent)
      status = 'critical';
    else if (Math.max(cpuValue, memoryValue) >= PROMETHEUS_STATUS.warningPercent)
      status = 'warning';
    else status = 'healthy';

    return { cpu: cpuValue, memory: memoryValue, status, link: this.link(serverId) };
  }

  private link(serverId: string): string {
    if (this.options.dashboardUrl) return renderUrl(this.options.dashboardUrl, serverId);
    const graph = joinUrl(this.base, '/graph');
    graph.searchParams.set('g0.expr', renderQuery(this.options.queries.cpu, serverId));
    graph.searchParams.set('g0.tab', '0');
    return graph.toString();
  }

  private missing(metric: Metric, serverId: string): ToolError {
    const query = renderQuery(this.options.queries[metric], serverId);
    const hint =
      metric === 'up'
        ? `is ${serverId} scraped, and does its instance label match? Adjust ${VARIABLE.up} if your labels differ`
        : `is node_exporter (or your exporter) scraped for ${serverId}? Adjust ${VARIABLE[metric]} if your metrics differ`;
    return new ToolError(
      'no_data',
      `${this.target} has no ${metric} series for ${serverId} (query: ${query}): ${hint}`,
    );
  }

  /** The largest value across series (the busiest instance), validated as a percentage. */
  private percent(metric: 'cpu' | 'memory', serverId: string, series: Series[]): number {
    const query = renderQuery(this.options.queries[metric], serverId);
    const unusable = series.find((s) => !Number.isFinite(s.value));
    if (unusable)
      throw new ToolError(
        'no_data',
        `${this.target} returned ${unusable.value} for the ${metric} of ${serverId} (series ${describeSeries(unusable.labels) || '(scalar)'}, query: ${query}): the series exists but has no usable value; check ${VARIABLE[metric]}`,
      );
    const value = Math.max(...series.map((s) => s.value));
    const { tolerancePercent } = PROMETHEUS_STATUS;
    if (value < -tolerancePercent || value > 100 + tolerancePercent)
      throw new ToolError(
        'no_data',
        `${this.target} returned ${value} for the ${metric} of ${serverId}, not a percentage (query: ${query}): ${VARIABLE[metric]} must yield 0–100 (multiply a ratio by 100)`,
      );
    return Math.round(Math.min(100, Math.max(0, value)) * 10) / 10;
  }

  private async query(metric: Metric, serverId: string, signal?: AbortSignal): Promise<Series[]> {
    const query = renderQuery(this.options.queries[metric], serverId);
    // No `time` parameter: Prometheus evaluates at its own now, immune to clock skew on our side.
    const answer = await httpCall({
      fetch: this.fetch,
      url: joinUrl(this.base, '/api/v1/query'),
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(this.authorization ? { authorization: this.authorization } : {}),
      },
      body: new URLSearchParams({ query }).toString(),
      signal,
      ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
      target: this.target,
      hint: 'check PROMETHEUS_URL and that Prometheus is running',
    });
    const parsed = QueryResponse.safeParse(tryJson(answer.text));
    if (parsed.success && parsed.data.status === 'error') {
      const { errorType, error } = parsed.data;
      const code =
        answer.status === 503 || errorType === 'timeout' || errorType === 'canceled'
          ? errorType === 'timeout'
            ? 'timeout'
            : 'unavailable'
          : 'invalid_arguments';
      throw new ToolError(
        code,
        `${this.target} could not run the ${metric} query for ${serverId} (${errorType}: ${clip(error)}; query: ${query}): ${code === 'invalid_arguments' ? `check ${VARIABLE[metric]}` : 'Prometheus is overloaded; try again'}`,
      );
    }
    if (answer.status < 200 || answer.status >= 300)
      throw statusError(this.target, answer, answer.text, {
        unauthorized: 'check PROMETHEUS_BEARER_TOKEN (or user:password in PROMETHEUS_URL)',
        forbidden: 'the credentials in PROMETHEUS_BEARER_TOKEN / PROMETHEUS_URL may not query',
        not_found:
          'check PROMETHEUS_URL: it is the server’s base URL (e.g. http://prometheus:9090), without /api/v1',
      });
    if (!parsed.success || parsed.data.status !== 'success')
      throw new ToolError(
        'unavailable',
        `${this.target} answered ${answer.status} with something that is not a Prometheus API response ("${clip(answer.text)}"): check PROMETHEUS_URL`,
      );
    const data = parsed.data.data;
    switch (data.resultType) {
      case 'vector':
        return data.result.map((r) => ({ labels: r.metric, value: sampleValue(r.value[1]) }));
      case 'scalar':
        return [{ labels: {}, value: sampleValue(data.result[1]) }];
      default:
        throw new ToolError(
          'invalid_arguments',
          `${this.target}: the ${metric} query returns a ${data.resultType}, not an instant vector (query: ${query}): check ${VARIABLE[metric]}`,
        );
    }
  }
}
