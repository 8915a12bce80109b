import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import { StoreReadiness } from '../../src/http/readiness.ts';
import { type HttpRoute, httpRoutes } from '../../src/http/routes.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMetrics, type Metrics } from '../../src/metrics.ts';
import type { Store } from '../../src/store/ports.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';

/** The routes behind a tiny node:http server, dispatched by path and method as Bolt does. */
async function serve(routes: HttpRoute[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.find(
      (r) =>
        r.path === path &&
        (Array.isArray(r.method) ? r.method : [r.method]).includes(req.method ?? ''),
    );
    if (route) route.handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

const servers: Server[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  for (const s of stores.splice(0)) await s.close().catch(() => {});
});

async function start(options: { store?: Store; metrics?: Metrics; extra?: HttpRoute[] } = {}) {
  const store = options.store ?? SqliteStore.open(':memory:');
  stores.push(store);
  const metrics = options.metrics ?? createMetrics();
  const routes = httpRoutes({
    store,
    metrics,
    describe: () => ({ mode: 'http', replica: 'replica-a', investigations_running: 0 }),
    ...(options.extra ? { extra: options.extra } : {}),
  });
  const { url, server } = await serve(routes);
  servers.push(server);
  return { url, store, metrics, routes };
}

describe('httpRoutes', () => {
  it('declares GET /healthz and GET /metrics, then any extra routes', async () => {
    const extra: HttpRoute = { path: '/changes', method: ['POST'], handler: () => {} };
    const { routes } = await start({ extra: [extra] });
    expect(routes.map((r) => [r.path, r.method])).toEqual([
      ['/healthz', ['GET']],
      ['/metrics', ['GET']],
      ['/changes', ['POST']],
    ]);
  });

  it('GET /healthz: 200 with what describe() says, once the store answers', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      status: 'ok',
      mode: 'http',
      replica: 'replica-a',
      investigations_running: 0,
    });
  });

  it('GET /healthz: 503 with the reason when the store does not answer', async () => {
    const store = SqliteStore.open(':memory:');
    const { url } = await start({ store });
    await store.close();
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.status).toBe('unhealthy');
    expect(typeof body.store).toBe('string');
    expect(String(body.store).length).toBeGreaterThan(0);
  });

  it('GET /metrics: Prometheus text with the bot’s metrics', async () => {
    const metrics = createMetrics();
    metrics.intake.inc({ origin: 'alert', result: 'accepted' });
    const { url } = await start({ metrics });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.registry.contentType);
    const text = await response.text();
    expect(text).toContain(
      'lzo_intake_total{origin="alert",result="accepted",app="level-zero-operator"} 1',
    );
    expect(text).toContain('# TYPE lzo_slack_rate_limited_total counter');
  });

  it('GET /metrics: 500 when the registry cannot collect', async () => {
    const metrics = createMetrics();
    metrics.registry.metrics = async () => {
      throw new Error('collector broke');
    };
    const { url } = await start({ metrics });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('collector broke');
  });

  it('GET /readyz: 200 while the store takes a write, 503 with the reason once it cannot, and the gauge follows', async () => {
    const store = SqliteStore.open(':memory:');
    const metrics = createMetrics();
    const readiness = new StoreReadiness({
      coordination: store.coordination,
      metrics,
      logger: silentLogger(),
      clock: systemClock,
      replica: 'replica-a',
    });
    const routes = httpRoutes({ store, metrics, readiness, describe: () => ({}) });
    expect(routes.map((r) => r.path)).toEqual(['/healthz', '/readyz', '/metrics']);
    const { url, server } = await serve(routes);
    servers.push(server);
    stores.push(store);
    const first = await fetch(`${url}/readyz`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: 'ready', store: 'writable' });
    expect((await metrics.storeWritable.get()).values[0]?.value).toBe(1);

    await store.close();
    const second = await fetch(`${url}/readyz`);
    expect(second.status).toBe(503);
    const body = (await second.json()) as { status: string; store: string };
    expect(body.status).toBe('not_ready');
    expect(body.store.length).toBeGreaterThan(0);
    expect((await metrics.storeWritable.get()).values[0]?.value).toBe(0);
    expect(readiness.failing).not.toBeNull();
  });
});
