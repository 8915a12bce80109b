import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from '../../../src/operator/decision/policy.ts';
import type { FleetFile } from '../../../src/tools/fleet/format.ts';
import { loadDemoFleet } from '../../../src/tools/fleet/load.ts';
import { DEFAULT_POLICY, draftOf, evidenceFor, policyInput } from '../../support/evidence.ts';
import { fleetOf, seedFleet, server } from '../../support/fleet.ts';

const restartOf = (restartServer: string | null) =>
  draftOf({ action: 'restart', restartServer, category: 'performance', severity: 'sev2' });

describe('policy guard', () => {
  let demo: FleetFile;
  beforeAll(async () => {
    demo = await loadDemoFleet();
  });

  it('accepts a restart in scope backed by CPU at the threshold and a hung process', async () => {
    const decision = await applyPolicy(
      await policyInput(seedFleet(), ['payment-server-01'], restartOf('payment-server-01')),
    );
    expect(decision).toEqual({
      action: 'restart',
      category: 'performance',
      severity: 'sev2',
      escalation: 'hold',
      restartServer: 'payment-server-01',
      policyNotes: [],
    });
  });

  it('accepts a restart backed by memory alone (auth-service-03, 95%)', async () => {
    const decision = await applyPolicy(
      await policyInput(seedFleet(), ['auth-service-03'], restartOf('auth-service-03')),
    );
    expect(decision.action).toBe('restart');
  });

  it('takes the only server in scope when the planner names none', async () => {
    const decision = await applyPolicy(
      await policyInput(seedFleet(), ['payment-server-01'], restartOf(null)),
    );
    expect(decision.restartServer).toBe('payment-server-01');
  });

  it('refuses to guess which of several servers to restart', async () => {
    const decision = await applyPolicy(
      await policyInput(seedFleet(), ['payment-server-01', 'auth-service-03'], restartOf(null)),
    );
    expect(decision.action).toBe('escalate');
    expect(decision.policyNotes).toEqual([
      'restart refused: the planner did not say which server to restart; escalating instead',
    ]);
  });

  it('refuses a restart of a server that is down, whatever its logs say', async () => {
    const fleet = fleetOf({
      'api-01': server({
        health: { cpu: 99, memory: 40, status: 'down' },
        logs: ['[CRITICAL] Process hung, not accepting new connections'],
      }),
    });
    const decision = await applyPolicy(await policyInput(fleet, ['api-01'], restartOf('api-01')));
    expect(decision.action).toBe('escalate');
    expect(decision.restartServer).toBeNull();
    expect(decision.policyNotes[0]).toMatch(
      /^restart of api-01 refused: the server is down \(E1\), and a service restart cannot bring back a down host/,
    );
  });

  it('refuses a restart with no supporting evidence on that server', async () => {
    const fleet = fleetOf({
      'warm-01': server({
        health: { cpu: 89, memory: 89, status: 'critical' },
        logs: ['[ERROR] something odd'],
      }),
    });
    const decision = await applyPolicy(await policyInput(fleet, ['warm-01'], restartOf('warm-01')));
    expect(decision.action).toBe('escalate');
    expect(decision.escalation).toBe('page_l1');
    expect(decision.policyNotes).toEqual([
      'restart of warm-01 refused: no evidence supports it (cpu 89%, memory 89%, below 90%, and no hung process); escalating instead',
    ]);
  });

  it('uses the configured threshold', async () => {
    const fleet = fleetOf({
      'warm-01': server({ health: { cpu: 95, memory: 10, status: 'warning' } }),
    });
    const strict = await applyPolicy(
      await policyInput(fleet, ['warm-01'], restartOf('warm-01'), {
        settings: { ...DEFAULT_POLICY, thresholdPercent: 99 },
      }),
    );
    expect(strict.action).toBe('escalate');
    const normal = await applyPolicy(await policyInput(fleet, ['warm-01'], restartOf('warm-01')));
    expect(normal.action).toBe('restart');
  });

  it('accepts a hung process below the threshold', async () => {
    const fleet = fleetOf({
      'hung-01': server({
        health: { cpu: 20, memory: 20, status: 'warning' },
        logs: ['[CRITICAL] Process hung, not accepting new connections'],
      }),
    });
    const decision = await applyPolicy(await policyInput(fleet, ['hung-01'], restartOf('hung-01')));
    expect(decision.action).toBe('restart');
  });

  it.each([
    ['search-index-09', 'dependency failure'],
    ['log-archive-06', 'disk full'],
    ['orders-worker-08', 'DNS resolution failure'],
    ['checkout-api-07', 'bad deploy'],
  ])('refuses to restart %s: %s signature present', async (id, label) => {
    const decision = await applyPolicy(await policyInput(demo, [id], restartOf(id)));
    expect(decision.action).toBe('escalate');
    expect(decision.restartServer).toBeNull();
    expect(decision.escalation).not.toBe('hold');
    expect(decision.policyNotes.at(-1)).toMatch(
      new RegExp(
        `^restart of ${id} refused: ${label} signature present \\(E\\d+.*a restart will not fix it; escalating instead$`,
      ),
    );
  });

  // A hot, hung server that a restart would otherwise be accepted for, plus one line of a class a
  // restart does not fix: the guard must refuse and say which.
  it.each([
    [
      'throttled at a limit',
      'alertname=CPUThrottlingHigh namespace=prod pod=api-7d9f container=api',
    ],
    ['throttled at a limit', "OOM command not allowed when used memory > 'maxmemory'."],
    [
      'configuration or syntax error',
      "/entrypoint.sh: line 14: syntax error near unexpected token `fi'",
    ],
    ['authorization failures (permission denied)', 'ERROR:  permission denied for table invoices'],
    ['image pull failure', 'Warning  Failed  kubelet  Error: ImagePullBackOff'],
    [
      'pod cannot be scheduled',
      'Warning  FailedScheduling  default-scheduler  0/3 nodes are available: 3 Insufficient cpu.',
    ],
    [
      'node not ready or under resource pressure',
      'Warning  Evicted  kubelet  The node was low on resource: memory.',
    ],
    ['crash loop', 'api-7d9f8c-x2x9q   0/1     CrashLoopBackOff   14 (2m ago)   1h'],
  ])('refuses a restart while a %s signature is present', async (label, line) => {
    const fleet = fleetOf({
      'hot-01': server({
        health: { cpu: 99, memory: 40, status: 'warning' },
        logs: ['[CRITICAL] Process hung, not accepting new connections', line],
      }),
    });
    const decision = await applyPolicy(await policyInput(fleet, ['hot-01'], restartOf('hot-01')));
    expect(decision.action).toBe('escalate');
    expect(decision.restartServer).toBeNull();
    expect(decision.policyNotes.at(-1)).toMatch(
      new RegExp(`^restart of hot-01 refused: ${label.replace(/[()]/g, '\\$&')} signature present`),
    );
  });

  it('still accepts that restart when the line is only a probe failing or a slow request', async () => {
    for (const line of [
      'Warning  Unhealthy  kubelet  Liveness probe failed: Get "http://10.244.1.7:8080/healthz": context deadline exceeded',
      '[WARN] slow request GET /search took 2412ms',
    ]) {
      const fleet = fleetOf({
        'hot-01': server({
          health: { cpu: 99, memory: 40, status: 'warning' },
          logs: ['[CRITICAL] Process hung, not accepting new connections', line],
        }),
      });
      const decision = await applyPolicy(await policyInput(fleet, ['hot-01'], restartOf('hot-01')));
      expect(decision.action, line).toBe('restart');
    }
  });

  it('blocks a restart even of a hot server when any server in the incident shows a blocking signature', async () => {
    const decision = await applyPolicy(
      await policyInput(
        seedFleet(),
        ['payment-server-01', 'search-index-09'],
        restartOf('payment-server-01'),
      ),
    );
    expect(decision.action).toBe('escalate');
  });

  it('forces a security signature to security: escalate and engage security, whatever the draft says', async () => {
    for (const action of ['restart', 'monitor', 'escalate'] as const) {
      const decision = await applyPolicy(
        await policyInput(
          demo,
          ['build-runner-11'],
          draftOf({
            action,
            restartServer: action === 'restart' ? 'build-runner-11' : null,
            category: 'performance',
            severity: 'sev0',
          }),
        ),
      );
      expect(decision).toMatchObject({
        action: 'escalate',
        category: 'security',
        escalation: 'engage_security',
        restartServer: null,
      });
      expect(decision.policyNotes[0]).toMatch(/^security signature present \(E\d+: /);
    }
  });

  it('refuses a server the catalog marks as not restartable', async () => {
    const input = await policyInput(
      seedFleet(),
      ['payment-server-01'],
      restartOf('payment-server-01'),
    );
    const decision = await applyPolicy({
      ...input,
      scope: input.scope.map((s) => ({ ...s, restartable: false })),
    });
    expect(decision.action).toBe('escalate');
    expect(decision.policyNotes[0]).toMatch(/marks payments as not restartable by the bot/);
  });

  it('counts the budget per server through the store callback', async () => {
    const asked: string[] = [];
    const input = await policyInput(
      seedFleet(),
      ['payment-server-01'],
      restartOf('payment-server-01'),
      {
        recentRestarts: async (id) => {
          asked.push(id);
          return 1;
        },
        settings: { ...DEFAULT_POLICY, restartBudget: 2, budgetWindowMinutes: 60 },
      },
    );
    expect((await applyPolicy(input)).action).toBe('restart');
    expect(asked).toEqual(['payment-server-01']);
    const used = await applyPolicy({ ...input, recentRestarts: async () => 2 });
    expect(used.action).toBe('escalate');
    expect(used.policyNotes[0]).toBe(
      'restart of payment-server-01 refused: restart budget used (2 restarts in the last 60 min, limit 2); escalating instead',
    );
  });

  it('leaves a monitor or escalate draft alone when the evidence shows a problem', async () => {
    const input = await policyInput(
      seedFleet(),
      ['search-index-09'],
      draftOf({ action: 'escalate', category: 'availability', severity: 'sev1' }),
    );
    expect(await applyPolicy(input)).toEqual({
      action: 'escalate',
      category: 'availability',
      severity: 'sev1',
      escalation: 'page_l1',
      restartServer: null,
      policyNotes: [],
    });
  });

  it('calls evidence that could not be gathered by its name', async () => {
    const { scope } = await evidenceFor(seedFleet(), ['db-node-02']);
    const decision = await applyPolicy({
      draft: draftOf({ action: 'escalate', severity: 'sev1' }),
      scope,
      evidence: [
        {
          id: 'E1',
          source: {
            tool: 'get_server_health',
            subject: 'db-node-02',
            backend: 'prometheus',
            at: '2025-03-01T09:00:00.000Z',
          },
          summary: 'failed',
          data: { kind: 'error', message: 'Prometheus unreachable' },
        },
      ],
      signals: [],
      recentRestarts: async () => 0,
      settings: DEFAULT_POLICY,
    });
    expect(decision).toMatchObject({ action: 'monitor', escalation: 'hold' });
    expect(decision.policyNotes[0]).toMatch(/^no evidence could be gathered/);
  });
});
