import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/tools/errors.ts';
import {
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_HEADERS,
  WebhookRestarter,
} from '../../../src/tools/webhook/restarter.ts';
import { ManualClock } from '../../../testing/clock.ts';
import { closedPort, type LoopbackReply, LoopbackServer } from '../../support/loopback-http.ts';

const SECRET = 'a-shared-secret-of-32-characters';
const clock = new ManualClock('2025-03-01T09:00:00.000Z');

let server: LoopbackServer;
let reply: LoopbackReply;

beforeAll(async () => {
  server = await LoopbackServer.start(() => reply);
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  reply = { status: 200, body: { detail: 'job 4411 restarted payments on payment-server-01' } };
});

const webhook = (extra: Partial<ConstructorParameters<typeof WebhookRestarter>[0]> = {}) =>
  new WebhookRestarter({
    url: `${server.url}/hooks/restart`,
    secret: SECRET,
    serviceOf: async (id) => (id === 'payment-server-01' ? 'payments' : null),
    clock,
    ...extra,
  });

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ToolError)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

describe('WebhookRestarter', () => {
  it('POSTs a signed JSON request and reports the receiver’s own words', async () => {
    const result = await webhook().restart('payment-server-01', undefined, {
      incidentId: 'INC-7',
      proposalId: 'P-12',
    });
    expect(result.detail).toMatch(
      /^the restart webhook at http:\/\/127\.0\.0\.1:\d+\/hooks\/restart performed the restart of payment-server-01 \(200\): job 4411 restarted payments on payment-server-01$/,
    );
    const r = server.last;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/hooks/restart');
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual({
      server_id: 'payment-server-01',
      service: 'payments',
      incident_id: 'INC-7',
      proposal_id: 'P-12',
      requested_at: '2025-03-01T09:00:00.000Z',
    });
    const timestamp = r.headers[WEBHOOK_HEADERS.timestamp] as string;
    expect(timestamp).toBe(String(Date.parse('2025-03-01T09:00:00Z') / 1000));
    expect(r.headers[WEBHOOK_HEADERS.delivery]).toBe('P-12');
    // The approval's idempotency key: a receiver that saw it already must not restart again.
    expect(r.headers['idempotency-key']).toBe('P-12');
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        timestamp,
        signature: r.headers[WEBHOOK_HEADERS.signature] as string,
        body: r.body,
        now: clock.now(),
      }),
    ).toBe(true);
  });

  it('the signature is HMAC-SHA256 over "timestamp.body", as documented', async () => {
    await webhook().restart('payment-server-01');
    const { createHmac } = await import('node:crypto');
    const r = server.last;
    const ts = r.headers[WEBHOOK_HEADERS.timestamp] as string;
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${r.body}`).digest('hex')}`;
    expect(r.headers[WEBHOOK_HEADERS.signature]).toBe(expected);
  });

  it('202 means accepted, and says so', async () => {
    reply = { status: 202, body: '' };
    const result = await webhook().restart('payment-server-01');
    expect(result.detail).toMatch(/accepted the restart of payment-server-01 \(202\)$/);
  });

  it.each([
    [301, 'unavailable', /301 \(redirect\).*not confirmed/],
    [
      400,
      'invalid_arguments',
      /400 Bad Request.*rejected the request body; the restart was not performed/,
    ],
    [401, 'unauthorized', /401 Unauthorized.*RESTART_WEBHOOK_SECRET matches.*not performed/],
    [
      403,
      'forbidden',
      /403 Forbidden.*refused to restart payment-server-01; the restart was not performed/,
    ],
    [404, 'not_found', /404 Not Found.*check RESTART_WEBHOOK_URL/],
    [409, 'conflict', /409 Conflict.*a restart of payment-server-01 already running/],
    [429, 'rate_limited', /429 Too Many Requests.*\(retry after 30 s\).*not performed/],
    [
      500,
      'unavailable',
      /500 Internal Server Error \("job failed: ansible exited 2"\): the receiver failed; the restart of payment-server-01 may not have happened/,
    ],
    [504, 'timeout', /504 Gateway Timeout.*may or may not have happened/],
  ] as const)('HTTP %i is a failure (%s), never a success', async (status, code, message) => {
    reply = {
      status,
      body: status === 500 ? 'job failed: ansible exited 2' : 'no',
      headers: status === 301 ? { location: 'https://elsewhere/' } : { 'retry-after': '30' },
    };
    const e = await failure(webhook().restart('payment-server-01'));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('a timeout says the restart may or may not have been performed', async () => {
    reply = { status: 200, hang: true };
    const e = await failure(webhook({ timeoutMs: 120 }).restart('payment-server-01'));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(
      /did not answer within 120 ms; the restart of payment-server-01 may or may not have been performed: check the receiver$/,
    );
  });

  it('an unreachable receiver: the restart was not requested', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hook`;
    const e = await failure(webhook({ url }).restart('payment-server-01'));
    expect(e.code).toBe('unavailable');
    expect(e.message).toBe(
      `the restart webhook at ${url} is unreachable (ECONNREFUSED): check RESTART_WEBHOOK_URL and that the receiver is running; the restart was not requested`,
    );
  });
});

describe('verifyWebhookSignature (what a receiver does)', () => {
  const body = '{"server_id":"a-1"}';
  const ts = '1740819600';
  const now = new Date(1740819600_000);
  const good = signWebhook(SECRET, ts, body);

  it('accepts the right signature within the tolerance', () => {
    expect(
      verifyWebhookSignature({ secret: SECRET, timestamp: ts, signature: good, body, now }),
    ).toBe(true);
  });

  it.each([
    ['a changed body', { body: '{"server_id":"a-2"}' }],
    ['another secret', { secret: 'another-secret-of-enough-length' }],
    ['a replay ten minutes later', { now: new Date(1740819600_000 + 600_000) }],
    ['a missing signature', { signature: undefined }],
    ['a bad timestamp', { timestamp: 'yesterday' }],
  ])('rejects %s', (_, change) => {
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        timestamp: ts,
        signature: good,
        body,
        now,
        ...change,
      }),
    ).toBe(false);
  });
});
