import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import type { HealthBackend, HealthSample } from '../../src/tools/backends.ts';
import { fetchRecentLogs } from '../../src/tools/declarations/fetch-recent-logs.ts';
import { getServerHealth } from '../../src/tools/declarations/get-server-health.ts';
import { listRecentChanges } from '../../src/tools/declarations/list-recent-changes.ts';
import { SimulatedFleet } from '../../src/tools/fleet/simulated.ts';
import { TOOL_LIMITS } from '../../src/tools/limits.ts';
import { ToolSession } from '../../src/tools/session.ts';
import { Toolbox } from '../../src/tools/toolbox.ts';
import { ManualClock } from '../../testing/clock.ts';
import { backendsOf, fleetOf, SEED_SERVERS, seedFleet, server } from '../support/fleet.ts';

function toolboxOver(
  fleet = SimulatedFleet.fromFleet(seedFleet(), systemClock),
  toolTimeoutMs = 1_000,
) {
  const clock = new ManualClock();
  return {
    fleet,
    toolbox: new Toolbox(backendsOf(fleet), { toolTimeoutMs, clock }),
    session: new ToolSession(),
  };
}

/** A health backend that never answers and ignores its abort signal, like a wedged Prometheus. */
class SilentHealth implements HealthBackend {
  readonly name = 'silent';
  calls = 0;
  getHealth(): Promise<HealthSample> {
    this.calls++;
    return new Promise(() => {});
  }
}

class FailingHealth implements HealthBackend {
  readonly name = 'failing';
  async getHealth(): Promise<HealthSample> {
    throw new Error(
      'query failed: GET https://metrics:hunter2secret@prometheus.internal/api/v1/query returned 502',
    );
  }
}

describe('toolbox', () => {
  it('refuses an unknown tool, naming the available ones, and records the attempt', async () => {
    const { toolbox, session } = toolboxOver();
    const out = await toolbox.call(session, 'delete_database', { server_id: 'db-node-02' });
    expect(out).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^unknown tool "delete_database"; available: get_server_health, /,
      ),
    });
    expect(session.calls).toEqual([
      expect.objectContaining({ tool: 'delete_database', ok: false, evidenceId: null }),
    ]);
    expect(session.evidence).toEqual([]);
  });

  it.each([
    ['get_server_health', {}, /server_id/],
    ['get_server_health', { server_id: '  ' }, /server_id: server_id is required/],
    ['get_server_health', { server_id: 'db-node-02', force: true }, /force|unrecognized/i],
    ['fetch_recent_logs', { server_id: 'db-node-02', lines: 'all' }, /lines/],
    ['fetch_recent_logs', { server_id: 'db-node-02', lines: 0 }, /lines/],
    ['fetch_recent_logs', { server_id: 'db-node-02', lines: 2.5 }, /lines/],
    ['list_recent_changes', { service: '' }, /service is required/],
    ['restart_service', { server_id: 'payment-server-01', now: true }, /now|unrecognized/i],
    ['escalate_to_engineer', {}, /summary/],
    ['get_server_health', 'db-node-02', /arguments/],
  ])('refuses %s(%j) before any backend sees it', async (tool, args, message) => {
    const { toolbox, session, fleet } = toolboxOver();
    const out = await toolbox.call(session, tool, args);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error).toMatch(new RegExp(`^invalid arguments for ${tool}: `));
    expect(out.error).toMatch(message);
    expect(session.evidence).toEqual([]);
    expect(session.restartIntents).toEqual([]);
    expect(fleet.restartCount('payment-server-01')).toBe(0);
  });

  it(`clamps fetch_recent_logs to ${TOOL_LIMITS.maxLogLines} lines, newest kept, oldest first`, async () => {
    const logs = Array.from({ length: 300 }, (_, i) => `[INFO] line ${i + 1}`);
    const fleet = SimulatedFleet.fromFleet(
      fleetOf({ 'big-01': server({ health: { cpu: 1, memory: 1, status: 'healthy' }, logs }) }),
      systemClock,
    );
    const { toolbox, session } = toolboxOver(fleet);
    const out = await toolbox.call(session, 'fetch_recent_logs', {
      server_id: 'big-01',
      lines: 1000,
    });
    expect(out.ok).toBe(true);
    const [evidence] = session.evidence;
    if (evidence?.data.kind !== 'logs') throw new Error('expected logs evidence');
    expect(evidence.data.lines).toHaveLength(200);
    expect(evidence.data.lines[0]).toBe('[INFO] line 101');
    expect(evidence.data.lines.at(-1)).toBe('[INFO] line 300');
    expect(evidence.data.truncated).toBe(true);
    expect(session.calls[0]?.args).toEqual({ server_id: 'big-01', lines: 200 });
  });

  it('defaults to the newest 50 log lines and clips runaway lines', async () => {
    const logs = [
      ...Array.from({ length: 60 }, (_, i) => `[INFO] line ${i + 1}`),
      `[ERROR] ${'x'.repeat(2_000)}`,
    ];
    const fleet = SimulatedFleet.fromFleet(
      fleetOf({ 'big-01': server({ health: { cpu: 1, memory: 1, status: 'healthy' }, logs }) }),
      systemClock,
    );
    const { toolbox, session } = toolboxOver(fleet);
    await toolbox.call(session, 'fetch_recent_logs', { server_id: 'big-01' });
    const [evidence] = session.evidence;
    if (evidence?.data.kind !== 'logs') throw new Error('expected logs evidence');
    expect(evidence.data.lines).toHaveLength(TOOL_LIMITS.defaultLogLines);
    const last = evidence.data.lines.at(-1) ?? '';
    expect(last.length).toBe(TOOL_LIMITS.maxLogLineLength + 1);
    expect(last.endsWith('…')).toBe(true);
  });

  it('redacts a secret that straddles the clip point of a long line', async () => {
    const token = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const prefix = ' Authorization: Bearer ';
    // The clip point falls 5 characters into the token: too short for the bearer pattern.
    const line = `${'y'.repeat(TOOL_LIMITS.maxLogLineLength - prefix.length - 5)}${prefix}${token}`;
    const fleet = SimulatedFleet.fromFleet(
      fleetOf({
        'web-01': server({ health: { cpu: 1, memory: 1, status: 'healthy' }, logs: [line] }),
      }),
      systemClock,
    );
    const { toolbox, session } = toolboxOver(fleet);
    await toolbox.gather(
      session,
      fetchRecentLogs,
      { server_id: 'web-01', lines: 10 },
      { by: 'planner' },
    );
    const text = JSON.stringify(session.evidence);
    expect(text).not.toContain(token.slice(0, 5));
    expect(text).toContain('Bearer [REDA…');
  });

  it('numbers evidence E1, E2, … in the order it is gathered, and hands the id to the planner', async () => {
    const { toolbox, session } = toolboxOver();
    const health = await toolbox.call(session, 'get_server_health', {
      server_id: 'payment-server-01',
    });
    const logs = await toolbox.call(session, 'fetch_recent_logs', {
      server_id: 'payment-server-01',
      lines: 5,
    });
    const changes = await toolbox.call(session, 'list_recent_changes', { service: 'payments' });
    expect(session.evidence.map((e) => [e.id, e.source.tool])).toEqual([
      ['E1', 'get_server_health'],
      ['E2', 'fetch_recent_logs'],
      ['E3', 'list_recent_changes'],
    ]);
    expect(health).toMatchObject({
      ok: true,
      content: { evidence_id: 'E1', kind: 'health', cpu: 98, memory: 40, status: 'warning' },
    });
    expect(logs).toMatchObject({
      ok: true,
      content: { evidence_id: 'E2', kind: 'logs', truncated: false },
    });
    expect(changes).toMatchObject({ ok: true, content: { evidence_id: 'E3', changes: [] } });
    expect(session.evidence[0]?.source).toEqual({
      tool: 'get_server_health',
      subject: 'payment-server-01',
      backend: 'simulated',
      at: '2025-03-01T09:00:00.000Z',
    });
    expect(session.evidence[0]?.summary).toBe(
      'payment-server-01: cpu 98%, memory 40%, status warning',
    );
    expect(session.evidence[1]?.summary).toBe(
      'payment-server-01: 5 recent log lines (1 critical, 1 error, 2 warning)',
    );
  });

  it('turns a backend that never answers into error evidence instead of a hang', async () => {
    const fleet = SimulatedFleet.fromFleet(seedFleet(), systemClock);
    const silent = new SilentHealth();
    const toolbox = new Toolbox(
      { ...backendsOf(fleet), health: silent },
      { toolTimeoutMs: 100, clock: systemClock },
    );
    const session = new ToolSession();
    const started = performance.now();
    const out = await toolbox.call(session, 'get_server_health', { server_id: 'db-node-02' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(silent.calls).toBe(1);
    expect(out).toEqual({
      ok: false,
      error:
        'get_server_health(db-node-02) failed: get_server_health(db-node-02) timed out after 100 ms (evidence E1)',
    });
    expect(session.evidence[0]?.data).toEqual({
      kind: 'error',
      message: 'get_server_health(db-node-02) timed out after 100 ms',
    });
    expect(session.hasEvidence()).toBe(false);
    await expect(toolbox.checkHealth('db-node-02')).rejects.toThrow(/timed out after 100 ms/);
  });

  it('says so when the investigation is cancelled rather than timing out', async () => {
    const fleet = SimulatedFleet.fromFleet(seedFleet(), systemClock);
    const toolbox = new Toolbox(
      { ...backendsOf(fleet), health: new SilentHealth() },
      { toolTimeoutMs: 10_000, clock: systemClock },
    );
    const session = new ToolSession();
    const controller = new AbortController();
    const pending = toolbox.gather(
      session,
      getServerHealth,
      { server_id: 'db-node-02' },
      { by: 'prefetch', signal: controller.signal },
    );
    controller.abort();
    const evidence = await pending;
    expect(evidence.data).toEqual({
      kind: 'error',
      message: 'get_server_health(db-node-02) was cancelled: the investigation ran out of time',
    });
    const late = await toolbox.gather(
      session,
      getServerHealth,
      { server_id: 'db-node-02' },
      { by: 'prefetch', signal: controller.signal },
    );
    expect(late.data).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/not started/),
    });
  });

  it('names the known servers when asked about an unknown one', async () => {
    const { toolbox, session } = toolboxOver();
    const out = await toolbox.call(session, 'get_server_health', { server_id: 'web-node-99' });
    const known = Object.keys(SEED_SERVERS).join(', ');
    expect(out).toEqual({
      ok: false,
      error: `get_server_health(web-node-99) failed: no server named "web-node-99" in the simulated fleet; known: ${known} (evidence E1)`,
    });
    expect(session.evidence[0]).toMatchObject({
      id: 'E1',
      source: { tool: 'get_server_health', subject: 'web-node-99' },
      data: { kind: 'error' },
    });
    expect(session.calls[0]).toMatchObject({ ok: false, evidenceId: 'E1', by: 'planner' });
  });

  it('redacts secrets quoted in a backend error', async () => {
    const fleet = SimulatedFleet.fromFleet(seedFleet(), systemClock);
    const toolbox = new Toolbox(
      { ...backendsOf(fleet), health: new FailingHealth() },
      { toolTimeoutMs: 1_000, clock: systemClock },
    );
    const session = new ToolSession();
    await toolbox.gather(session, getServerHealth, { server_id: 'db-node-02' }, { by: 'prefetch' });
    const text = JSON.stringify(session.evidence);
    expect(text).toContain('returned 502');
    expect(text).not.toContain('hunter2secret');
  });

  it('records a restart_service call as a proposal intent and restarts nothing', async () => {
    const { toolbox, session, fleet } = toolboxOver();
    const out = await toolbox.call(session, 'restart_service', {
      server_id: 'payment-server-01',
      reason: 'cpu 98% (E1)',
    });
    expect(out).toMatchObject({ ok: true, content: { status: 'proposal_recorded' } });
    expect(session.restartIntents).toEqual([
      { serverId: 'payment-server-01', reason: 'cpu 98% (E1)' },
    ]);
    expect(fleet.restartCount('payment-server-01')).toBe(0);
    expect(session.calledTools()).toEqual(['restart_service']);
  });

  it('refuses escalate_to_engineer until some evidence has been gathered', async () => {
    const { toolbox, session } = toolboxOver();
    const refused = await toolbox.call(session, 'escalate_to_engineer', { summary: 'help' });
    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/^refused: no evidence/) });
    expect(session.escalationIntents).toEqual([]);

    await toolbox.call(session, 'get_server_health', { server_id: 'web-node-99' });
    const stillRefused = await toolbox.call(session, 'escalate_to_engineer', { summary: 'help' });
    expect(stillRefused.ok).toBe(false);

    await toolbox.call(session, 'get_server_health', { server_id: 'search-index-09' });
    const accepted = await toolbox.call(session, 'escalate_to_engineer', {
      summary: 'search down',
      reason: 'dependency',
    });
    expect(accepted).toMatchObject({ ok: true, content: { status: 'escalation_requested' } });
    expect(session.escalationIntents).toEqual([{ summary: 'search down', reason: 'dependency' }]);
  });

  it('lists changes newest first with secrets redacted', async () => {
    const clock = new ManualClock();
    const fleet = SimulatedFleet.fromFleet(
      fleetOf(structuredClone(SEED_SERVERS), [
        { service: 'payments', minutes_ago: 90, description: 'deploy v2.4.0' },
        {
          service: 'payments',
          minutes_ago: 10,
          description: 'config: DB_PASSWORD=Sup3rS3cret rotated',
        },
        { service: 'web', minutes_ago: 5, description: 'cdn ttl' },
      ]),
      clock,
    );
    const toolbox = new Toolbox(backendsOf(fleet), { toolTimeoutMs: 1_000, clock });
    const session = new ToolSession();
    const e = await toolbox.gather(
      session,
      listRecentChanges,
      { service: 'payments' },
      { by: 'prefetch' },
    );
    if (e.data.kind !== 'changes') throw new Error('expected changes');
    expect(e.data.changes.map((c) => c.at)).toEqual([
      '2025-03-01T08:50:00.000Z',
      '2025-03-01T07:30:00.000Z',
    ]);
    expect(JSON.stringify(e)).not.toContain('Sup3rS3cret');
    expect(e.summary).toMatch(
      /^payments: 2 recent changes, newest "config: DB_PASSWORD=\[REDACTED\]/,
    );
  });
});
