import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { alertWebhookRoutes } from '../../src/http/alert-webhooks.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { IntakeRequest, IntakeResult } from '../../src/operator/intake/intake.ts';
import { gate } from '../support/slack-parts.ts';

const TOKEN = 'load-test-token-0123456789';
let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** The generic route alone on a loopback server, with an intake the test controls. */
async function serve(accept: (r: IntakeRequest) => Promise<IntakeResult>, maxInFlight: number) {
  const [, , generic] = alertWebhookRoutes({
    token: TOKEN,
    intake: { accept },
    route: 'route',
    metrics: createMetrics(),
    logger: silentLogger(),
    maxInFlight,
  });
  if (!generic) throw new Error('no generic route');
  server = createServer((req, res) => generic.handler(req, res));
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return (title: string) =>
    fetch(`http://127.0.0.1:${port}/alerts/generic`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title, servers: ['web-01'] }),
    });
}

describe('alert webhooks under load', () => {
  it('beyond its in-flight limit a replica answers 503 with Retry-After at once, and stores nothing for it', async () => {
    const slow = gate();
    const taken: string[] = [];
    const post = await serve(async (r) => {
      taken.push(r.text);
      await slow.promise;
      return { kind: 'accepted', incidentId: 'INC-1', jobId: 'j' };
    }, 1);
    const first = post('first');
    await new Promise((r) => setTimeout(r, 50));
    const busy = await post('second');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(taken).toEqual([expect.stringContaining('first')]);
    slow.open();
    expect((await first).status).toBe(202);
    // Once the first is done, the next is taken in.
    expect((await post('third')).status).toBe(202);
  });

  it('a store that cannot write gets a 503, so the sender retries', async () => {
    const post = await serve(async () => {
      throw new Error('database is down');
    }, 10);
    const answer = await post('x');
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({ error: 'could not store the alerts; retry later' });
  });
});
