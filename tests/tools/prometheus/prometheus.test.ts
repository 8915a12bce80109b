import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROMETHEUS_DEFAULT_QUERIES } from '../../../src/config/backends.ts';
import { ToolError } from '../../../src/tools/errors.ts';
import { PrometheusHealth } from '../../../src/tools/prometheus/prometheus.ts';
import {
  escapeQuoted,
  escapeRegex,
  renderQuery,
  renderUrl,
} from '../../../src/tools/prometheus/promql.ts';
import { type LoopbackReply, LoopbackServer } from '../../support/loopback-http.ts';
import {
  promBadData,
  promEmpty,
  promMatrix,
  promTimeout,
  promVector,
} from '../../support/recorded-apis.ts';

/** Prometheus' HTTP API shapes from a loopback server: every status a real deployment can answer. */

type Metric = 'cpu' | 'memory' | 'up';

function metricOf(query: string): Metric {
  if (query.includes('node_cpu_seconds_total')) return 'cpu';
  if (query.includes('node_memory')) return 'memory';
  return 'up';
}

let server: LoopbackServer;
let replies: Partial<Record<Metric, LoopbackReply>>;

const healthy: Record<Metric, LoopbackReply> = {
  cpu: { status: 200, body: promVector([{ labels: { instance: 'web-01:9100' }, value: '42.04' }]) },
  memory: {
    status: 200,
    body: promVector([{ labels: { instance: 'web-01:9100' }, value: '61.5' }]),
  },
  up: {
    status: 200,
    body: promVector([{ labels: { instance: 'web-01:9100', job: 'node' }, value: '1' }]),
  },
};

beforeAll(async () => {
  server = await LoopbackServer.start((req) => {
    const query = new URLSearchParams(req.body).get('query') ?? '';
    return replies[metricOf(query)] ?? healthy[metricOf(query)];
  });
});
afterAll(() => server.close());
beforeEach(() => {
  replies = {};
  server.requests.length = 0;
});

const prometheus = (extra: Partial<ConstructorParameters<typeof PrometheusHealth>[0]> = {}) =>
  new PrometheusHealth({ url: server.url, queries: PROMETHEUS_DEFAULT_QUERIES, ...extra });

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ToolError)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

describe('PrometheusHealth', () => {
  it('asks the instant-query API for cpu, memory and up, and derives a status', async () => {
    const h = await prometheus().getHealth('web-01');
    expect(h).toMatchObject({ cpu: 42, memory: 61.5, status: 'healthy' });
    expect(server.requests).toHaveLength(3);
    for (const r of server.requests) {
      expect(r.method).toBe('POST');
      expect(r.path).toBe('/api/v1/query');
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    }
    const queries = server.requests.map((r) => new URLSearchParams(r.body).get('query'));
    expect(queries).toContain('up{instance=~"web-01(:[0-9]+)?"}');
  });

  it('keeps a path prefix in PROMETHEUS_URL (Prometheus behind a proxy)', async () => {
    await prometheus({ url: `${server.url}/prom/` }).getHealth('web-01');
    expect(server.last.path).toBe('/prom/api/v1/query');
  });

  it('maps high readings to warning and critical, and a failing target to error', async () => {
    replies.cpu = { status: 200, body: promVector([{ labels: {}, value: '88' }]) };
    expect((await prometheus().getHealth('web-01')).status).toBe('warning');
    replies.memory = { status: 200, body: promVector([{ labels: {}, value: '97.2' }]) };
    expect((await prometheus().getHealth('web-01')).status).toBe('critical');
    replies.up = {
      status: 200,
      body: promVector([
        { labels: { job: 'node' }, value: '1' },
        { labels: { job: 'app' }, value: '0' },
      ]),
    };
    expect((await prometheus().getHealth('web-01')).status).toBe('error');
  });

  it('reports down when every target is down, even though cpu and memory have gone stale', async () => {
    replies.up = { status: 200, body: promVector([{ labels: {}, value: '0' }]) };
    replies.cpu = { status: 200, body: promEmpty };
    replies.memory = { status: 200, body: promEmpty };
    expect(await prometheus().getHealth('web-01')).toMatchObject({ status: 'down' });
  });

  it('uses the busiest series when a query matches several', async () => {
    replies.cpu = {
      status: 200,
      body: promVector([
        { labels: { instance: 'web-01:9100' }, value: '12' },
        { labels: { instance: 'web-01:9256' }, value: '93.44' },
      ]),
    };
    expect((await prometheus().getHealth('web-01')).cpu).toBe(93.4);
  });

  it('accepts a scalar result', async () => {
    replies.cpu = {
      status: 200,
      body: { status: 'success', data: { resultType: 'scalar', result: [1, '5'] } },
    };
    expect((await prometheus().getHealth('web-01')).cpu).toBe(5);
  });

  it('an empty result is an error naming the query and the variable, never a zero', async () => {
    replies.memory = { status: 200, body: promEmpty };
    const e = await failure(prometheus().getHealth('web-01'));
    expect(e.code).toBe('no_data');
    expect(e.message).toMatch(
      /^Prometheus at http:\/\/127\.0\.0\.1:\d+ has no memory series for web-01 \(query: 100 \* \(1 - node_memory_MemAvailable_bytes.*PROMETHEUS_MEMORY_QUERY/,
    );
  });

  it('NaN and Inf are errors', async () => {
    replies.cpu = { status: 200, body: promVector([{ labels: { instance: 'a' }, value: 'NaN' }]) };
    expect((await failure(prometheus().getHealth('web-01'))).message).toMatch(
      /returned NaN for the cpu of web-01 \(series \{instance="a"\}/,
    );
    replies.cpu = { status: 200, body: promVector([{ labels: {}, value: '+Inf' }]) };
    expect((await failure(prometheus().getHealth('web-01'))).message).toMatch(/returned Infinity/);
  });

  it('a value far outside 0–100 is an error telling how to fix the template', async () => {
    replies.memory = { status: 200, body: promVector([{ labels: {}, value: '100.4' }]) };
    expect((await prometheus().getHealth('web-01')).memory).toBe(100);
    replies.memory = { status: 200, body: promVector([{ labels: {}, value: '6442450944' }]) };
    const e = await failure(prometheus().getHealth('web-01'));
    expect(e.message).toMatch(/not a percentage .*multiply a ratio by 100/);
  });

  it('a range-vector template is refused', async () => {
    replies.cpu = { status: 200, body: promMatrix };
    expect((await failure(prometheus().getHealth('web-01'))).message).toMatch(
      /returns a matrix, not an instant vector .*PROMETHEUS_CPU_QUERY/,
    );
  });

  it('400 bad_data names the variable of the failing template', async () => {
    replies.cpu = { status: 400, body: promBadData };
    const e = await failure(prometheus().getHealth('web-01'));
    expect(e.code).toBe('invalid_arguments');
    expect(e.message).toMatch(/bad_data: invalid parameter "query".*check PROMETHEUS_CPU_QUERY/);
  });

  it('503 timeout from the query engine is a timeout', async () => {
    replies.up = { status: 503, body: promTimeout };
    const e = await failure(prometheus().getHealth('web-01'));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/query timed out in expression evaluation/);
  });

  it.each([
    [401, 'unauthorized', /401 Unauthorized.*PROMETHEUS_BEARER_TOKEN/],
    [403, 'forbidden', /403 Forbidden.*may not query/],
    [404, 'not_found', /404 Not Found.*without \/api\/v1/],
    [409, 'conflict', /409 Conflict/],
    [429, 'rate_limited', /429 Too Many Requests .*\(retry after 7 s\)/],
    [500, 'unavailable', /500 Internal Server Error/],
    [502, 'unavailable', /502 Bad Gateway \("<html>bad gateway<\/html>"\)/],
  ] as const)(
    'HTTP %i from a proxy becomes %s with a clear message',
    async (status, code, message) => {
      replies.up = {
        status,
        body: status === 502 ? '<html>bad gateway</html>' : 'nope',
        headers: { 'retry-after': '7' },
      };
      const e = await failure(prometheus().getHealth('web-01'));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:\d+ answered /);
      expect(e.message).toMatch(message);
    },
  );

  it('a 200 that is not the Prometheus API (wrong URL, a login page) is an error', async () => {
    replies.up = { status: 200, body: '<html>Grafana login</html>' };
    expect((await failure(prometheus().getHealth('web-01'))).message).toMatch(
      /not a Prometheus API response .*check PROMETHEUS_URL/,
    );
  });

  it('times out on a hung Prometheus', async () => {
    replies.up = { status: 200, hang: true };
    const e = await failure(prometheus({ timeoutMs: 150 }).getHealth('web-01'));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/did not answer within 150 ms/);
  });

  it('sends basic auth from the URL without showing the password anywhere', async () => {
    const url = server.url.replace('http://', 'http://ops:s3cret-pass@');
    replies.up = { status: 401, body: 'unauthorized' };
    const e = await failure(prometheus({ url }).getHealth('web-01'));
    expect(server.last.headers.authorization).toBe(
      `Basic ${Buffer.from('ops:s3cret-pass').toString('base64')}`,
    );
    expect(e.message).not.toContain('s3cret');
    expect(e.message).not.toContain('ops@');
  });

  it('takes an injected fetch: a DNS failure is named, not thrown raw', async () => {
    const fetch = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
    };
    const e = await failure(
      prometheus({ url: 'http://prometheus.invalid:9090', fetch }).getHealth('web-01'),
    );
    expect(e.code).toBe('unavailable');
    expect(e.message).toBe(
      'Prometheus at http://prometheus.invalid:9090 is unreachable (ENOTFOUND): check PROMETHEUS_URL and that Prometheus is running',
    );
  });

  it('sends a bearer token', async () => {
    await prometheus({ bearerToken: 'tok-123' }).getHealth('web-01');
    expect(server.last.headers.authorization).toBe('Bearer tok-123');
  });

  it('links evidence to the dashboard template, URL-encoding the server', async () => {
    const h = await prometheus({
      dashboardUrl: 'https://grafana.example.com/d/node?var-host={{server}}',
    }).getHealth('web-01');
    expect(h.link).toBe('https://grafana.example.com/d/node?var-host=web-01');
  });
});

describe('query templates', () => {
  it('escapes for double-quoted strings and for regex matchers', () => {
    expect(escapeQuoted('a"b\\c')).toBe('a\\"b\\\\c');
    expect(escapeRegex('db-1.prod')).toBe('db-1\\.prod');
    expect(renderQuery('up{instance=~"{{server_regex}}(:[0-9]+)?"}', 'db-1.prod')).toBe(
      'up{instance=~"db-1\\\\.prod(:[0-9]+)?"}',
    );
    expect(renderQuery('up{host="{{ server }}"}', 'x"} or vector(1) or up{a="')).toBe(
      'up{host="x\\"} or vector(1) or up{a=\\""}',
    );
    expect(renderUrl('https://g/d?h={{server}}', 'a b&c')).toBe('https://g/d?h=a%20b%26c');
  });
});
