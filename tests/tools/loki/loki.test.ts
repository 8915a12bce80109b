import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOKI_DEFAULT_QUERY } from '../../../src/config/backends.ts';
import { systemClock } from '../../../src/domain/clock.ts';
import { fetchRecentLogs } from '../../../src/tools/declarations/fetch-recent-logs.ts';
import { ToolError } from '../../../src/tools/errors.ts';
import { LokiLogs } from '../../../src/tools/loki/loki.ts';
import { ToolSession } from '../../../src/tools/session.ts';
import { Toolbox } from '../../../src/tools/toolbox.ts';
import { ManualClock } from '../../../testing/clock.ts';
import { closedPort, type LoopbackReply, LoopbackServer } from '../../support/loopback-http.ts';
import {
  lokiNoOrgId,
  lokiParseError,
  lokiStreams,
  lokiTooMany,
} from '../../support/recorded-apis.ts';

let server: LoopbackServer;
let reply: LoopbackReply;
const clock = new ManualClock('2025-03-01T09:00:00.000Z');
const NOW_NS = BigInt(Date.parse('2025-03-01T09:00:00.000Z')) * 1_000_000n;
const s = (secondsAgo: number) => NOW_NS - BigInt(secondsAgo) * 1_000_000_000n;

beforeAll(async () => {
  server = await LoopbackServer.start(() => reply);
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  reply = {
    status: 200,
    body: lokiStreams([
      {
        labels: { host: 'payment-server-01', stream: 'stdout' },
        entries: [
          [s(50), '[INFO] Request received /pay/v1'],
          [s(30), '[WARN] Thread pool exhaustion'],
          [s(10), '[ERROR] Timeout waiting for thread'],
        ],
      },
      {
        labels: { host: 'payment-server-01', stream: 'stderr' },
        entries: [
          [s(40), '[WARN] CPU threshold exceeded 90%'],
          [s(20), '[CRITICAL] Process hung, not accepting new connections'],
        ],
      },
    ]),
  };
});

const loki = (extra: Partial<ConstructorParameters<typeof LokiLogs>[0]> = {}) =>
  new LokiLogs({
    url: server.url,
    query: LOKI_DEFAULT_QUERY,
    lookbackMinutes: 60,
    clock,
    ...extra,
  });

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ToolError)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

describe('LokiLogs', () => {
  it('queries query_range backwards over the lookback window and merges streams oldest first', async () => {
    const sample = await loki().fetchLogs('payment-server-01', 50);
    expect(sample.lines).toEqual([
      '[INFO] Request received /pay/v1',
      '[WARN] CPU threshold exceeded 90%',
      '[WARN] Thread pool exhaustion',
      '[CRITICAL] Process hung, not accepting new connections',
      '[ERROR] Timeout waiting for thread',
    ]);
    const r = server.last;
    expect(r.method).toBe('GET');
    expect(r.path).toBe('/loki/api/v1/query_range');
    expect(r.query.get('query')).toBe('{host="payment-server-01"}');
    expect(r.query.get('direction')).toBe('backward');
    expect(r.query.get('limit')).toBe('50');
    expect(r.query.get('end')).toBe(String(NOW_NS));
    expect(r.query.get('start')).toBe(String(NOW_NS - 3_600_000_000_000n));
  });

  it('keeps only the newest N lines across streams, capped at the tool limit', async () => {
    expect((await loki().fetchLogs('payment-server-01', 2)).lines).toEqual([
      '[CRITICAL] Process hung, not accepting new connections',
      '[ERROR] Timeout waiting for thread',
    ]);
    await loki().fetchLogs('payment-server-01', 10_000);
    expect(server.last.query.get('limit')).toBe('200');
  });

  it('sends the tenant header and basic auth or a bearer token', async () => {
    await loki({ tenant: 'team-a', username: 'u1', password: 'p1' }).fetchLogs('x-1', 5);
    expect(server.last.headers['x-scope-orgid']).toBe('team-a');
    expect(server.last.headers.authorization).toBe(
      `Basic ${Buffer.from('u1:p1').toString('base64')}`,
    );
    await loki({ bearerToken: 'glc_abc' }).fetchLogs('x-1', 5);
    expect(server.last.headers.authorization).toBe('Bearer glc_abc');
  });

  it('escapes the server id inside the LogQL string', async () => {
    await loki().fetchLogs('a"} |= "', 5);
    expect(server.last.query.get('query')).toBe('{host="a\\"} |= \\""}');
  });

  it('no lines in the window is said plainly (not "healthy, no errors")', async () => {
    reply = { status: 200, body: lokiStreams([]) };
    const e = await failure(loki().fetchLogs('payment-server-01', 20));
    expect(e.code).toBe('no_data');
    expect(e.message).toMatch(
      /has no log lines for payment-server-01 in the last 60 min \(query: \{host="payment-server-01"\}\).*LOKI_QUERY/,
    );
  });

  it('a metric query is refused with the fix', async () => {
    reply = {
      status: 200,
      body: { status: 'success', data: { resultType: 'matrix', result: [] } },
    };
    expect((await failure(loki().fetchLogs('a-1', 5))).message).toMatch(
      /LOKI_QUERY is a metric query \(it returned a matrix\)/,
    );
  });

  it.each([
    [401, lokiNoOrgId, 'unauthorized', /401 Unauthorized \("no org id"\).*LOKI_TENANT/],
    [403, 'access denied', 'forbidden', /403 Forbidden.*may not read tenant/],
    [404, '404 page not found', 'not_found', /404 Not Found.*without \/loki\/api\/v1/],
    [
      400,
      lokiParseError,
      'invalid_arguments',
      /parse error at line 1, col 2.*check LOKI_QUERY \(query sent: \{host="a-1"\}\)/,
    ],
    [409, 'conflict', 'conflict', /409 Conflict/],
    [429, lokiTooMany, 'rate_limited', /too many outstanding requests.*Loki is limiting queries/],
    [500, 'rpc error: code = Unavailable', 'unavailable', /500 Internal Server Error/],
    [
      503,
      { message: 'upstream connect error' },
      'unavailable',
      /503 Service Unavailable \("upstream connect error"\)/,
    ],
  ] as const)('HTTP %i becomes %s', async (status, body, code, message) => {
    reply = { status, body };
    const e = await failure(loki().fetchLogs('a-1', 5));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(/^Loki at http:\/\/127\.0\.0\.1:\d+ answered /);
    expect(e.message).toMatch(message);
  });

  it('times out on a hung Loki', async () => {
    reply = { status: 200, hang: true };
    const e = await failure(loki({ timeoutMs: 120 }).fetchLogs('a-1', 5));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/^Loki at .* did not answer within 120 ms$/);
  });

  it('names LOKI_URL when Loki is unreachable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const e = await failure(loki({ url }).fetchLogs('a-1', 5));
    expect(e.message).toBe(
      `Loki at ${url} is unreachable (ECONNREFUSED): check LOKI_URL and that Loki is running`,
    );
  });

  it('lines pass through the toolbox redacted and clipped', async () => {
    reply = {
      status: 200,
      body: lokiStreams([
        {
          labels: { host: 'a-1' },
          entries: [
            [s(2), 'connecting to postgres://app:hunter22@db:5432/pay'],
            [s(1), `[ERROR] ${'x'.repeat(900)}`],
          ],
        },
      ]),
    };
    const toolbox = new Toolbox(
      {
        inventory: null as never,
        health: null as never,
        logs: loki(),
        changes: null as never,
        restarter: null as never,
      },
      { toolTimeoutMs: 2_000, clock: systemClock },
    );
    const e = await toolbox.gather(
      new ToolSession(),
      fetchRecentLogs,
      { server_id: 'a-1', lines: 10 },
      { by: 'prefetch' },
    );
    expect(e.source.backend).toBe('loki');
    expect(e.data.kind).toBe('logs');
    const lines = e.data.kind === 'logs' ? e.data.lines : [];
    expect(lines[0]).not.toContain('hunter22');
    expect(lines[1]?.length).toBeLessThanOrEqual(501);
  });
});
