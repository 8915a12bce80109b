import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Change } from '../../src/domain/evidence.ts';
import { createChangesWebhook } from '../../src/http/changes-webhook.ts';
import type { ChangeSink } from '../../src/tools/changes/sink.ts';
import { ManualClock } from '../../testing/clock.ts';

/** The POST /changes handler mounted on a plain node:http server, as the HTTP server will mount it. */

const TOKEN = 'cd-token-0123456789abcdef';
const clock = new ManualClock('2025-03-01T09:00:00.000Z');

class MemorySink implements ChangeSink {
  readonly changes: Change[] = [];
  fail = false;
  async append(changes: readonly Change[]): Promise<void> {
    if (this.fail) throw new Error('disk full');
    this.changes.push(...changes);
  }
}

let sink: MemorySink;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    void createChangesWebhook({ token: TOKEN, sink, clock })(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/changes`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  sink = new MemorySink();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /changes', () => {
  it('records one change, stamping the time when the CD system sends none', async () => {
    const res = await post({ service: 'payments', description: 'deploy v2.4.1', author: 'argo' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ recorded: 1 });
    expect(sink.changes).toEqual([
      {
        service: 'payments',
        at: '2025-03-01T09:00:00.000Z',
        description: 'deploy v2.4.1',
        author: 'argo',
      },
    ]);
  });

  it('records a list, or { changes: [...] }', async () => {
    expect(
      (
        await post([
          { service: 'a', description: 'x', at: '2025-03-01T08:00:00+00:00' },
          { service: 'b', description: 'y' },
        ])
      ).status,
    ).toBe(202);
    expect((await post({ changes: [{ service: 'c', description: 'z' }] })).status).toBe(202);
    expect(sink.changes.map((c) => c.service)).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['no token', { authorization: '' }, 401],
    ['a wrong token', { authorization: 'Bearer nope' }, 401],
    ['basic auth', { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }, 401],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
  ])('refuses %s', async (_, headers, status) => {
    const res = await post({ service: 'a', description: 'x' }, headers);
    expect(res.status).toBe(status);
    if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(sink.changes).toHaveLength(0);
  });

  it('refuses other methods', async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('400 for a body that is not JSON', async () => {
    expect((await post('{service:')).status).toBe(400);
  });

  it('422 names each bad field', async () => {
    const res = await post([
      { service: 'a', description: 'x' },
      { service: '', at: 'soon', description: 'y' },
    ]);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { problems: string[] };
    expect(body.problems).toEqual([
      '[1].service: service is required',
      '[1].at: must be an ISO 8601 time, e.g. 2025-03-01T09:00:00Z',
    ]);
    expect(sink.changes).toHaveLength(0);
  });

  it('413 for an oversized body, 422 for too many changes', async () => {
    expect((await post({ service: 'a', description: 'x'.repeat(70_000) })).status).toBe(413);
    const many = Array.from({ length: 101 }, () => ({ service: 'a', description: 'x' }));
    expect((await post(many)).status).toBe(422);
  });

  it('500 when the sink fails, saying nothing was recorded', async () => {
    sink.fail = true;
    const res = await post({ service: 'a', description: 'x' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: 'could not record the change; nothing was recorded, retry later',
    });
  });
});
