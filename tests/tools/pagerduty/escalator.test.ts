import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/tools/errors.ts';
import { PagerDutyEscalator } from '../../../src/tools/pagerduty/escalator.ts';
import { ManualClock } from '../../../testing/clock.ts';
import { sampleBrief } from '../../support/brief-fixture.ts';
import { closedPort, type LoopbackReply, LoopbackServer } from '../../support/loopback-http.ts';
import { pdAccepted, pdInvalid, pdThrottled } from '../../support/recorded-apis.ts';

const PAYMENTS_KEY = 'R0PAYMENTSROUTINGKEY00000000000A';
const DEFAULT_KEY = 'R0DEFAULTROUTINGKEY000000000000B';
const clock = new ManualClock('2025-03-01T09:05:00.000Z');

let server: LoopbackServer;
let replies: LoopbackReply[];
let sleeps: number[];

beforeAll(async () => {
  server = await LoopbackServer.start(
    () => replies.shift() ?? { status: 202, body: pdAccepted('INC-20250301-0001') },
  );
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  replies = [];
  sleeps = [];
});

const pagerduty = (extra: Partial<ConstructorParameters<typeof PagerDutyEscalator>[0]> = {}) =>
  new PagerDutyEscalator({
    eventsUrl: `${server.url}/v2/enqueue`,
    defaultRoutingKey: DEFAULT_KEY,
    routingKeyFor: (service) => (service === 'payments' ? PAYMENTS_KEY : null),
    serviceOf: (id) => (id === 'search-index-09' ? 'search' : null),
    clock: {
      now: clock.now,
      timeout: clock.timeout,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
    ...extra,
  });

const ticket = (brief = sampleBrief()) => ({
  incidentId: brief.incidentId,
  reason: 'restart refused by the catalog',
  brief,
});

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ToolError)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

type Event = {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload: Record<string, unknown> & { custom_details: Record<string, unknown> };
  links: Array<{ href: string; text: string }>;
};

describe('PagerDutyEscalator', () => {
  it('triggers an Events API v2 event with the catalog routing key and the incident as dedup key', async () => {
    const receipt = await pagerduty().send(ticket());
    expect(receipt).toEqual({ target: 'PagerDuty (service payments)', ref: 'INC-20250301-0001' });
    const r = server.last;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/v2/enqueue');
    const event = JSON.parse(r.body) as Event;
    expect(event).toMatchObject({
      routing_key: PAYMENTS_KEY,
      event_action: 'trigger',
      dedup_key: 'INC-20250301-0001',
      payload: {
        summary: '[sev1] payment-server-01 hung: CPU 98%, not accepting connections',
        source: 'payment-server-01',
        severity: 'error',
        timestamp: '2025-03-01T09:05:00.000Z',
        component: 'payments',
        group: 'payments-team',
        class: 'performance',
      },
      links: [
        {
          href: 'https://grafana.example.com/d/node?var-host=payment-server-01',
          text: 'E1 get_server_health(payment-server-01) via prometheus',
        },
      ],
    });
    expect(event.payload.custom_details).toMatchObject({
      incident_id: 'INC-20250301-0001',
      reason: 'restart refused by the catalog',
      impact: 'Payments time out for all customers',
      ownership: { service: 'payments', team: 'payments-team', onCall: 'S0PAYONCALL' },
      escalation: 'page_l1',
    });
  });

  it.each([
    ['sev0', 'critical'],
    ['sev1', 'error'],
    ['sev2', 'warning'],
    ['sev3', 'info'],
  ] as const)('%s pages as %s', async (severity, expected) => {
    await pagerduty().send(ticket(sampleBrief({ severity })));
    expect((JSON.parse(server.last.body) as Event).payload.severity).toBe(expected);
  });

  it('uses PAGERDUTY_ROUTING_KEY when the catalog names none, finding the service by server', async () => {
    const brief = sampleBrief({ servers: ['search-index-09'] });
    brief.escalationPackage.ownership.service = null;
    const receipt = await pagerduty().send(ticket(brief));
    expect(receipt.target).toBe('PagerDuty (service search)');
    expect((JSON.parse(server.last.body) as Event).routing_key).toBe(DEFAULT_KEY);
  });

  it('refuses, without calling PagerDuty, when there is no routing key at all', async () => {
    const brief = sampleBrief();
    brief.escalationPackage.ownership.service = 'web';
    const e = await failure(pagerduty({ defaultRoutingKey: null }).send(ticket(brief)));
    expect(e.code).toBe('refused');
    expect(e.message).toBe(
      'no PagerDuty routing key for service web: set pagerduty for it in the catalog or PAGERDUTY_ROUTING_KEY; nobody was paged',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('400 invalid event is reported with PagerDuty’s own errors, not retried', async () => {
    replies = [{ status: 400, body: pdInvalid }];
    const e = await failure(pagerduty().send(ticket()));
    expect(e.code).toBe('invalid_arguments');
    expect(e.message).toBe(
      "PagerDuty rejected the event (400: Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)): check the routing key for payments (catalog or PAGERDUTY_ROUTING_KEY); nobody was paged",
    );
    expect(server.requests).toHaveLength(1);
  });

  it('429 is retried once after Retry-After, then reported as rate limited', async () => {
    replies = [
      { status: 429, body: pdThrottled, headers: { 'retry-after': '2' } },
      { status: 429, body: pdThrottled, headers: { 'retry-after': '2' } },
    ];
    const e = await failure(pagerduty().send(ticket()));
    expect(e.code).toBe('rate_limited');
    expect(e.message).toMatch(
      /429 Too Many Requests \("Requests for this service are arriving too quickly/,
    );
    expect(e.message).toMatch(/rate-limiting events for this routing key; nobody was paged$/);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([2_000]);
  });

  it('a 5xx followed by a 202 is a success (same dedup key: no double page)', async () => {
    replies = [{ status: 503, body: 'upstream unavailable' }];
    const receipt = await pagerduty().send(ticket());
    expect(receipt.ref).toBe('INC-20250301-0001');
    const keys = server.requests.map((r) => (JSON.parse(r.body) as Event).dedup_key);
    expect(keys).toEqual(['INC-20250301-0001', 'INC-20250301-0001']);
    expect(sleeps).toEqual([1_000]);
  });

  it('5xx twice: a failure that does not claim the page was sent', async () => {
    replies = [
      { status: 500, body: 'oops' },
      { status: 502, body: 'bad gateway' },
    ];
    const e = await failure(pagerduty().send(ticket()));
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(
      /502 Bad Gateway \("bad gateway"\): PagerDuty failed on its side; the page is not confirmed$/,
    );
  });

  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'conflict'],
  ] as const)('%i becomes %s', async (status, code) => {
    replies = [{ status, body: 'no' }];
    const e = await failure(pagerduty().send(ticket()));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(
      new RegExp(
        `^PagerDuty Events API at http://127\\.0\\.0\\.1:\\d+/v2/enqueue answered ${status}`,
      ),
    );
  });

  it('a timeout is retried once, then reported as unconfirmed', async () => {
    replies = [
      { status: 202, hang: true },
      { status: 202, hang: true },
    ];
    const e = await failure(pagerduty({ timeoutMs: 100 }).send(ticket()));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/did not answer within 100 ms; the page is not confirmed$/);
    expect(server.requests).toHaveLength(2);
  });

  it('unreachable PagerDuty names PAGERDUTY_EVENTS_URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v2/enqueue`;
    const e = await failure(pagerduty({ eventsUrl: url }).send(ticket()));
    expect(e.message).toMatch(/is unreachable \(ECONNREFUSED\): check PAGERDUTY_EVENTS_URL/);
  });

  it('keeps a huge package under the Events API size limit', async () => {
    const brief = sampleBrief();
    brief.escalationPackage.timeline = Array.from({ length: 5_000 }, (_, i) => ({
      at: '2025-03-01T09:00:00.000Z',
      event: `log line ${i} ${'x'.repeat(100)}`,
    }));
    await pagerduty().send(ticket(brief));
    expect(Buffer.byteLength(server.last.body)).toBeLessThan(512 * 1024);
    const event = JSON.parse(server.last.body) as Event;
    expect(event.payload.custom_details.truncated).toBeDefined();
  });
});
