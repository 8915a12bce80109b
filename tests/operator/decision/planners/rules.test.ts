import { describe, expect, it } from 'vitest';
import type { PlannerDraft } from '../../../../src/domain/brief.ts';
import { RulesPlanner } from '../../../../src/operator/decision/planners/rules/planner.ts';
import { detectSignals, type Signal } from '../../../../src/operator/decision/signals/index.ts';
import { resolveScope } from '../../../../src/operator/investigation/scope.ts';
import { fetchRecentLogs } from '../../../../src/tools/declarations/fetch-recent-logs.ts';
import { getServerHealth } from '../../../../src/tools/declarations/get-server-health.ts';
import { listRecentChanges } from '../../../../src/tools/declarations/list-recent-changes.ts';
import { parseScenarios } from '../../../../src/tools/fleet/load.ts';
import { SimulatedFleet } from '../../../../src/tools/fleet/simulated.ts';
import { ToolSession } from '../../../../src/tools/session.ts';
import { Toolbox } from '../../../../src/tools/toolbox.ts';
import { ManualClock } from '../../../../testing/clock.ts';

/**
 * The rules planner's own draft (before the policy guard), from evidence gathered the way the
 * operator prefetches it: health and logs for each server in scope, changes for each service.
 */
async function plan(
  yaml: string,
  handed: (found: Signal[]) => Signal[] = (found) => found,
): Promise<PlannerDraft> {
  const [scenario] = parseScenarios(yaml, 'inline');
  if (!scenario) throw new Error('no scenario');
  const clock = new ManualClock(new Date());
  const now = clock.now();
  const fleet = SimulatedFleet.fromScenario(scenario, clock);
  const toolbox = new Toolbox(
    { inventory: fleet, health: fleet, logs: fleet, changes: fleet, restarter: fleet },
    { toolTimeoutMs: 1_000, clock },
  );
  const session = new ToolSession();
  const scope = resolveScope(scenario.report, await fleet.listServers());
  for (const s of scope.servers) {
    await toolbox.gather(session, getServerHealth, { server_id: s.id }, { by: 'prefetch' });
    await toolbox.gather(
      session,
      fetchRecentLogs,
      { server_id: s.id, lines: 50 },
      { by: 'prefetch' },
    );
  }
  for (const service of new Set(scope.servers.map((s) => s.service ?? s.id)))
    await toolbox.gather(session, listRecentChanges, { service: service }, { by: 'prefetch' });
  const signalOptions = {
    thresholdPercent: 90,
    now,
    serviceOf: new Map(scope.servers.map((s) => [s.id, s.service])),
  };
  const outcome = await new RulesPlanner().plan({
    incidentId: 'INC-test',
    report: scenario.report,
    environment: scenario.environment,
    scope,
    session,
    toolbox,
    signalOptions,
    signals: handed(detectSignals(session.evidence, signalOptions)),
    signal: new AbortController().signal,
    deadlineAt: Date.now() + 60_000,
  });
  return outcome.draft;
}

const SEEDS = `
- id: seeds
  report: REPORT
  servers:
    payment-server-01:
      health: { cpu: 98, memory: 40, status: Warning }
      logs:
        - "[INFO] Request received /pay/v1"
        - "[WARN] CPU threshold exceeded 90%"
        - "[WARN] Thread pool exhaustion"
        - "[CRITICAL] Process hung, not accepting new connections"
        - "[ERROR] Timeout waiting for thread"
    db-node-02:
      health: { cpu: 12, memory: 60, status: Healthy }
      logs:
        - "[INFO] Backup started"
        - "[INFO] Backup completed successfully"
        - "[INFO] User query executed in 12ms"
        - "[INFO] Health check: OK"
        - "[INFO] Replication sync active"
    auth-service-03:
      health: { cpu: 45, memory: 95, status: Critical }
      logs:
        - "[INFO] Token validated user_882"
        - "[WARN] Garbage collection taking too long (>5s)"
        - "[ERROR] java.lang.OutOfMemoryError: Java heap space"
        - "[CRITICAL] Application crashing due to memory leak"
        - "[INFO] Restarting context..."
    search-index-09:
      health: { cpu: 10, memory: 15, status: Error }
      logs:
        - "[INFO] Indexing started"
        - "[ERROR] Connection refused: elastic-cluster-main:9200"
        - "[ERROR] Failed to write document ID 4432"
        - "[CRITICAL] Dependency Unreachable: Search Engine is down"
        - "[ERROR] Retrying in 30s..."
    frontend-node-04:
      health: { cpu: 25, memory: 30, status: Healthy }
      logs:
        - "[INFO] GET /home 200 OK"
        - "[INFO] GET /assets/logo.png 200 OK"
        - "[INFO] GET /login 200 OK"
        - "[INFO] GET /api/v1/status 200 OK"
        - "[INFO] Health check passed"
`;

const seed = (report: string) => plan(SEEDS.replace('REPORT', JSON.stringify(report)));

describe('rules planner: the signals it is handed', () => {
  it('decides from PlanContext.signals, never by detecting them again', async () => {
    const report = 'The payment-server-01 is extremely slow and timing out.';
    const draft = await seed(report);
    expect(draft.action).toBe('restart');
    const blind = await plan(SEEDS.replace('REPORT', JSON.stringify(report)), () => []);
    expect(blind).toMatchObject({ action: 'monitor', category: 'unknown', restartServer: null });
  });
});

describe('rules planner: the seed data', () => {
  it('payment-server-01 (CPU saturation, hung) → restart it', async () => {
    const draft = await seed('The payment-server-01 is extremely slow and timing out.');
    expect(draft).toMatchObject({
      action: 'restart',
      restartServer: 'payment-server-01',
      category: 'performance',
    });
    expect(['sev1', 'sev2']).toContain(draft.severity);
  });

  it('db-node-02 (healthy) → monitor, nothing to escalate', async () => {
    const draft = await seed('Something is wrong with db-node-02');
    expect(draft).toMatchObject({ action: 'monitor', restartServer: null, severity: 'sev3' });
  });

  it('auth-service-03 (heap exhausted, memory leak) → restart it', async () => {
    const draft = await seed('Users are reporting login failures on auth-service-03.');
    expect(draft).toMatchObject({ action: 'restart', restartServer: 'auth-service-03' });
    expect(['availability', 'performance']).toContain(draft.category);
  });

  it('search-index-09 (dependency down) → escalate, no restart', async () => {
    const draft = await seed("Search isn't working. Can you check search-index-09?");
    expect(draft).toMatchObject({
      action: 'escalate',
      restartServer: null,
      category: 'availability',
    });
    expect(draft.nextActions.join(' ')).toMatch(/do not restart/i);
  });

  it('frontend-node-04 (healthy) → monitor', async () => {
    const draft = await seed('Check frontend-node-04 just to be safe.');
    expect(draft).toMatchObject({ action: 'monitor', restartServer: null, severity: 'sev3' });
  });

  it('cites evidence for every fact and labels causes as hypotheses', async () => {
    const draft = await seed('The payment-server-01 is extremely slow and timing out.');
    expect(draft.facts.length).toBeGreaterThan(0);
    for (const fact of draft.facts) expect(fact.evidence.length).toBeGreaterThan(0);
    expect(draft.hypotheses[0]?.confidence).toBe('high');
  });
});

const server = (id: string, spec: string) => `
    ${id}:
      service: svc
${spec
  .trim()
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}`;

const scenario = (report: string, servers: string, extra = '') =>
  `- id: t\n  report: ${JSON.stringify(report)}\n${extra}  servers:${servers}\n`;

describe('rules planner: telling restartable from not', () => {
  it('a deploy 15 minutes ago with saturation and a hang, but no regression errors → restart', async () => {
    const draft = await plan(
      scenario(
        'api-01 is slow',
        server(
          'api-01',
          `health: { cpu: 98, memory: 40, status: warning }
logs: ["[WARN] CPU threshold exceeded 90%", "[CRITICAL] Process hung, not accepting new connections"]`,
        ),
        '  changes: [{ service: svc, minutes_ago: 15, description: "deploy v2.4.1" }]\n',
      ),
    );
    expect(draft).toMatchObject({ action: 'restart', restartServer: 'api-01' });
  });

  it('a recent deploy followed by application errors → escalate as a change', async () => {
    const draft = await plan(
      scenario(
        'api-01 returns 500s',
        server(
          'api-01',
          `health: { cpu: 60, memory: 40, status: error }
logs: ["TypeError: Cannot read properties of undefined (reading 'id')", "POST /orders 500 12ms"]`,
        ),
        '  changes: [{ service: svc, minutes_ago: 10, description: "deploy v3" }]\n',
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'change' });
  });

  it('busy but healthy, with no symptom in the logs → monitor', async () => {
    const draft = await plan(
      scenario(
        'batch-01 CPU alarm',
        server(
          'batch-01',
          `health: { cpu: 97, memory: 50, status: healthy }
logs: ["[INFO] nightly job stage 3/7 started"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'monitor', category: 'performance', severity: 'sev3' });
  });

  it('a crash loop → escalate: the platform already restarts it', async () => {
    const draft = await plan(
      scenario(
        'worker-01 keeps dying',
        server(
          'worker-01',
          `health: { cpu: 10, memory: 99, status: critical }
logs: ["Last State: Terminated Reason: OOMKilled Exit Code: 137", "Status: CrashLoopBackOff"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({
      action: 'escalate',
      category: 'availability',
      restartServer: null,
    });
  });

  it('a traffic surge at high CPU → escalate as performance, no restart', async () => {
    const draft = await plan(
      scenario(
        'web-01 is hot',
        server(
          'web-01',
          `health: { cpu: 96, memory: 50, status: warning }
logs: ['[error] 22#22: *1002 limiting requests, excess: 20.460 by zone "perip", client: 203.0.113.9']`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'performance' });
  });

  it('a disk-full signature wins over high CPU', async () => {
    const draft = await plan(
      scenario(
        'logs-01 is hot',
        server(
          'logs-01',
          `health: { cpu: 96, memory: 40, status: warning }
logs: ["write /var/lib/buffer/1.flb: no space left on device"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'availability' });
  });

  it('a security signature wins over everything, even pegged CPU', async () => {
    const draft = await plan(
      scenario(
        'node-07 is slow, restart it',
        server(
          'node-07',
          `health: { cpu: 100, memory: 70, status: warning }
logs: ["[WARN] Unknown process /tmp/.x/xmrig using 395% CPU"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'security' });
  });

  it('out of memory below the restart threshold still names its category', async () => {
    const draft = await plan(
      scenario(
        'gw-06 fails requests',
        server(
          'gw-06',
          `health: { cpu: 40, memory: 85, status: critical }
logs: ["java.lang.OutOfMemoryError: unable to create native thread"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'availability', severity: 'sev1' });
  });

  it('a down server → escalate, even when its last lines show a hang', async () => {
    const draft = await plan(
      scenario(
        'erp-01 does not answer',
        server(
          'erp-01',
          `health: { cpu: 0, memory: 0, status: down }
logs: ["[CRITICAL] Process hung, not accepting new connections"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({
      action: 'escalate',
      category: 'availability',
      restartServer: null,
    });
  });

  it('an unhealthy status with no signature → escalate, cause unknown', async () => {
    const draft = await plan(
      scenario(
        'q-02 shows ERROR',
        server('q-02', `health: { cpu: 30, memory: 40, status: error }\nlogs: ["[INFO] all good"]`),
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'unknown', severity: 'sev1' });
  });
});

describe('rules planner: several servers', () => {
  it('two servers saturated at once → escalate a shared cause, restart neither', async () => {
    const hot = `health: { cpu: 99, memory: 60, status: warning }\nlogs: ["[WARN] request queue full, rejecting new requests"]`;
    const draft = await plan(
      scenario('web-01 and web-02 are slow', server('web-01', hot) + server('web-02', hot)),
    );
    expect(draft).toMatchObject({
      action: 'escalate',
      restartServer: null,
      category: 'performance',
    });
  });

  it('one sick server among healthy ones → restart only the sick one', async () => {
    const draft = await plan(
      scenario(
        'web-03 and web-04 return errors',
        server(
          'web-03',
          `health: { cpu: 50, memory: 97, status: critical }\nlogs: ["FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"]`,
        ) + server('web-04', `health: { cpu: 30, memory: 40, status: healthy }\nlogs: []`),
      ),
    );
    expect(draft).toMatchObject({ action: 'restart', restartServer: 'web-03' });
  });

  it('at equal severity a known cause beats "cause unclear"', async () => {
    const draft = await plan(
      scenario(
        'a-01 and b-01 are down',
        server('a-01', `health: { cpu: 9, memory: 30, status: error }\nlogs: ["[INFO] started"]`) +
          server(
            'b-01',
            `health: { cpu: 9, memory: 30, status: error }\nlogs: ["[ERROR] connect ECONNREFUSED 10.0.3.12:5432"]`,
          ),
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'availability' });
  });

  it('a widespread report with two failing servers is sev0', async () => {
    const down = `health: { cpu: 9, memory: 30, status: error }\nlogs: ["[ERROR] connect ECONNREFUSED 10.0.3.12:5432"]`;
    const draft = await plan(
      scenario('a-01 and b-01 are down for all users', server('a-01', down) + server('b-01', down)),
    );
    expect(draft.severity).toBe('sev0');
  });
});

describe('rules planner: environment and scope', () => {
  it('caps severity at sev2 outside production', async () => {
    const draft = await plan(
      scenario(
        'stg-01 down',
        server('stg-01', `health: { cpu: 0, memory: 0, status: down }\nlogs: []`),
        '  environment: staging\n',
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', severity: 'sev2' });
  });

  it('never guesses at an unknown server id', async () => {
    const draft = await plan(
      scenario(
        'payment-server-99 is down',
        server(
          'payment-server-01',
          `health: { cpu: 98, memory: 40, status: warning }\nlogs: ["[CRITICAL] Process hung"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'monitor', restartServer: null });
    expect(draft.summary).toContain('payment-server-99');
    expect(draft.summary).toContain('payment-server-01');
  });
});

describe('rules planner: what the brief says', () => {
  it('quotes the loudest matching log line, not merely the first', async () => {
    const draft = await plan(`
- id: loud
  report: search-9 is failing
  servers:
    search-9:
      health: { cpu: 10, memory: 15, status: error }
      logs:
        - "[WARN] connection refused by es-1:9200, retrying"
        - "[CRITICAL] Dependency unreachable: es-1:9200 is down"
`);
    expect(draft.facts.map((f) => f.text).join('\n')).toMatch(
      /dependency failure: "\[CRITICAL\] Dependency unreachable: es-1:9200 is down"/,
    );
  });

  it('says how long ago a change was, and never calls a day-old change recent', async () => {
    const draft = await plan(`
- id: old-change
  report: web-1 check
  servers:
    web-1: { service: web, health: { cpu: 5, memory: 5, status: healthy }, logs: ["[INFO] ok"] }
  changes:
    - { service: web, minutes_ago: 1500, description: "config tweak" }
`);
    const change = draft.facts.find((f) => /last changed/.test(f.text))?.text;
    expect(change).toMatch(/^web last changed 25 h ago: "config tweak"/);
    expect(draft.facts.map((f) => f.text).join('\n')).not.toMatch(/recently/);
  });

  it('offers no "no clear signature" hypothesis when a signature explains the status', async () => {
    const draft = await plan(`
- id: explained
  report: search-9 is failing
  servers:
    search-9:
      health: { cpu: 10, memory: 15, status: error }
      logs: ["[ERROR] Connection refused: es-1:9200"]
`);
    expect(draft.hypotheses.map((h) => h.text).join('\n')).not.toMatch(/without a clear signature/);
    expect(draft.hypotheses[0]?.text).toMatch(/dependency/);
  });

  it('names the server in the safe checks', async () => {
    const draft = await plan(`
- id: named
  report: api-7 is slow
  servers:
    api-7:
      health: { cpu: 99, memory: 40, status: warning }
      logs: ["[CRITICAL] Process hung, not accepting new connections"]
`);
    const checks = draft.safeChecks.join('\n');
    expect(checks).toMatch(/http:\/\/api-7\/healthz/);
    expect(checks).not.toMatch(/<server>/);
  });
});

describe('rules planner: classes a restart does not fix', () => {
  it('CPU pinned at its own low limit is throttling: performance, escalate, no restart', async () => {
    const draft = await plan(
      scenario(
        'api-09 is slow',
        server(
          'api-09',
          `health: { cpu: 100, memory: 35, status: warning }
logs: ["    Limits:  cpu: 200m  memory: 512Mi", "[WARN] request took 2300ms"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({
      action: 'escalate',
      category: 'performance',
      restartServer: null,
    });
    expect(draft.title).toMatch(/throttled/);
  });

  it('pinned CPU the reporter calls throttling is not proposed for a restart', async () => {
    const draft = await plan(
      scenario(
        'api-09 CPU throttling alert, it is at its limit',
        server('api-09', `health: { cpu: 100, memory: 35, status: warning }\nlogs: ["[INFO] ok"]`),
      ),
    );
    expect(draft).toMatchObject({
      action: 'escalate',
      category: 'performance',
      restartServer: null,
    });
  });

  it('the same CPU without a stated limit is saturation, and a restart is proposed', async () => {
    const draft = await plan(
      scenario(
        'api-09 is slow',
        server(
          'api-09',
          `health: { cpu: 100, memory: 35, status: warning }
logs: ["[WARN] request took 2300ms"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'restart', restartServer: 'api-09' });
  });

  it('a configuration error is a change to fix, not a restart', async () => {
    const draft = await plan(
      scenario(
        'lb-02 is down',
        server(
          'lb-02',
          `health: { cpu: 99, memory: 20, status: error }
logs: ['nginx: [emerg] unknown directive "proxy_passs" in /etc/nginx/conf.d/app.conf:12']`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'change', restartServer: null });
  });

  it('an image that cannot be pulled, a pod that cannot be scheduled, a denied permission', async () => {
    const cases = [
      [
        'Warning  Failed  kubelet  Failed to pull image "registry.example.com/api:v9": not found',
        'change',
      ],
      [
        'Warning  FailedScheduling  default-scheduler  0/3 nodes are available: 3 Insufficient memory.',
        'availability',
      ],
      ['ERROR:  permission denied for table invoices', 'availability'],
    ] as const;
    for (const [line, category] of cases) {
      const draft = await plan(
        scenario(
          'app-3 is failing',
          server(
            'app-3',
            `health: { cpu: 97, memory: 20, status: error }\nlogs: [${JSON.stringify(line)}]`,
          ),
        ),
      );
      expect(draft, line).toMatchObject({ action: 'escalate', category, restartServer: null });
    }
  });
});

describe('rules planner: crashed once versus crash-looping', () => {
  it('crashed once and back to healthy: watch it', async () => {
    const draft = await plan(
      scenario(
        'worker-4 restarted overnight',
        server(
          'worker-4',
          `health: { cpu: 20, memory: 40, status: healthy }
logs: ["Last State:     Terminated   Reason: Error   Exit Code: 1", "Restart Count:  1"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'monitor', category: 'availability', severity: 'sev3' });
  });

  it('crash-looping: escalate, the platform is restarting it already', async () => {
    const draft = await plan(
      scenario(
        'worker-4 keeps restarting',
        server(
          'worker-4',
          `health: { cpu: 20, memory: 40, status: error }
logs: ["Last State:     Terminated   Reason: Error   Exit Code: 1", "Restart Count:  9"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'availability', severity: 'sev1' });
    expect(draft.title).toMatch(/crash loop/);
  });
});

describe('rules planner: latency with no error', () => {
  it('slow queries on a warning server: performance, escalated', async () => {
    const draft = await plan(
      scenario(
        'reports-db-2 is slow',
        server(
          'reports-db-2',
          `health: { cpu: 60, memory: 70, status: warning }
logs: ["2024-05-14 10:00:01 UTC [4411] LOG:  duration: 8211.402 ms  statement: SELECT * FROM orders"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'performance', severity: 'sev2' });
  });

  it('slow but healthy: performance, watched, not paged', async () => {
    const draft = await plan(
      scenario(
        'reports-db-2 feels slow',
        server(
          'reports-db-2',
          `health: { cpu: 40, memory: 50, status: healthy }
logs: ["2024-05-14 10:00:01 UTC [4411] LOG:  duration: 2211.402 ms  statement: SELECT 1"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'monitor', category: 'performance', severity: 'sev3' });
  });

  it('fast queries are not latency, however many there are', async () => {
    const draft = await plan(
      scenario(
        'reports-db-2 check',
        server(
          'reports-db-2',
          `health: { cpu: 40, memory: 50, status: healthy }
logs: ["LOG:  duration: 12.402 ms  statement: SELECT 1", "LOG:  duration: 980.1 ms  statement: SELECT 2"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'monitor', category: 'unknown' });
  });

  it('an unexplained failure right after a change seen only in the logs is the change', async () => {
    const draft = await plan(
      scenario(
        'app-7 errors since a minute',
        server(
          'app-7',
          `health: { cpu: 20, memory: 30, status: error }
logs: ["[notice] 1#1: signal 1 (SIGHUP) received from 44, reconfiguring", "[INFO] serving"]`,
        ),
      ),
    );
    expect(draft).toMatchObject({ action: 'escalate', category: 'change' });
  });

  it('a report about slowness makes an unexplained warning a performance incident', async () => {
    const spec = `health: { cpu: 50, memory: 50, status: warning }\nlogs: ["[INFO] ok"]`;
    const slow = await plan(scenario('app-7 has been slow since noon', server('app-7', spec)));
    expect(slow).toMatchObject({ action: 'escalate', category: 'performance' });
    const vague = await plan(scenario('app-7 looks odd', server('app-7', spec)));
    expect(vague).toMatchObject({ action: 'escalate', category: 'unknown' });
  });
});

describe('rules planner: attribution across servers', () => {
  it('noise on a bystander does not decide: the server with a known cause does', async () => {
    const draft = await plan(
      scenario(
        'web-11 and web-12 return errors',
        server(
          'web-11',
          `health: { cpu: 30, memory: 40, status: error }\nlogs: ["[INFO] nothing to see"]`,
        ) +
          server(
            'web-12',
            `health: { cpu: 40, memory: 97, status: warning }
logs: ["FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"]`,
          ),
      ),
    );
    expect(draft).toMatchObject({ restartServer: 'web-12', action: 'restart' });
    expect(['availability', 'performance']).toContain(draft.category);
  });

  it('a dependency in scope that carries the problem decides the verdict', async () => {
    const draft = await plan(`
- id: follow-in-scope
  report: "shop-web-1 and shop-db-1 are failing"
  servers:
    shop-web-1:
      service: shop-web
      health: { cpu: 10, memory: 30, status: error }
      logs: ["org.postgresql.util.PSQLException: Connection to shop-db-1:5432 refused."]
    shop-db-1:
      service: shop-db
      health: { cpu: 20, memory: 50, status: critical }
      logs: ['PANIC:  could not write to file "pg_wal/xlogtemp.2231": No space left on device']
`);
    expect(draft).toMatchObject({ action: 'escalate', category: 'availability' });
    expect(draft.title).toMatch(/^shop-db-1: disk full; shop-web-1 cannot reach it/);
  });

  it('a dependency outside the scope but in the fleet is read and followed, never restarted', async () => {
    const draft = await plan(`
- id: follow-out-of-scope
  report: "checkout-9 returns 503s"
  servers:
    checkout-9:
      service: checkout
      health: { cpu: 10, memory: 30, status: error }
      logs: ["[ERROR] redis.exceptions.ConnectionError: Error 110 connecting to cache-3:6379. Connection timed out."]
    cache-3:
      service: cache
      health: { cpu: 99, memory: 60, status: critical }
      logs: ["[CRITICAL] Process hung, not accepting new connections"]
`);
    expect(draft).toMatchObject({
      action: 'escalate',
      restartServer: null,
      category: 'performance',
    });
    expect(draft.title).toMatch(
      /^cache-3: CPU saturation, hung process; checkout-9 cannot reach it/,
    );
    expect(draft.facts.map((f) => f.text).join('\n')).toMatch(/cache-3 reports cpu 99%/);
  });

  it('a named dependency that looks healthy leaves the verdict with the server that fails', async () => {
    const draft = await plan(`
- id: follow-healthy
  report: "checkout-9 returns 503s"
  servers:
    checkout-9:
      health: { cpu: 10, memory: 30, status: error }
      logs: ["[ERROR] Could not connect to cache-3:6379: Connection refused"]
    cache-3:
      health: { cpu: 5, memory: 20, status: healthy }
      logs: ["[INFO] Ready to accept connections"]
`);
    expect(draft).toMatchObject({ action: 'escalate', category: 'availability' });
    expect(draft.title).toMatch(/^checkout-9: dependency unreachable$/);
  });
});

describe('rules planner: environment and confidence', () => {
  const pegged = `health: { cpu: 99, memory: 40, status: warning }
logs: ["[WARN] CPU threshold exceeded 90%", "[CRITICAL] Process hung, not accepting new connections"]`;

  it('a dev box pegged is minor; the same box in staging is at most sev2', async () => {
    const dev = await plan(
      scenario('box-1 is pegged', server('box-1', pegged), '  environment: dev\n'),
    );
    expect(dev.severity).toBe('sev3');
    const staging = await plan(
      scenario('box-1 is pegged for everyone', server('box-1', pegged), '  environment: staging\n'),
    );
    expect(staging.severity).toBe('sev2');
    const prod = await plan(scenario('box-1 is pegged for everyone', server('box-1', pegged)));
    expect(prod.severity).toBe('sev1');
  });

  it('confidence follows how much evidence agrees, and says why', async () => {
    const strong = await plan(scenario('box-1 is pegged', server('box-1', pegged)));
    expect(strong.hypotheses[0]).toMatchObject({ confidence: 'high' });
    expect(strong.hypotheses[0]?.text).toMatch(/\(one line in E2, borne out by cpu 99% \(E1\)\)$/);

    const single = await plan(
      scenario(
        'tls-1 warns',
        server(
          'tls-1',
          `health: { cpu: 5, memory: 5, status: healthy }
logs: ["[WARN] certificate for api.example.com expires in 5 days"]`,
        ),
      ),
    );
    expect(single.hypotheses[0]).toMatchObject({ confidence: 'medium' });
    expect(single.hypotheses[0]?.text).toMatch(/\(one line in E2\)$/);

    const inferred = await plan(
      scenario(
        'q-9 is red',
        server('q-9', `health: { cpu: 30, memory: 40, status: error }\nlogs: []`),
      ),
    );
    expect(inferred.hypotheses[0]).toMatchObject({ confidence: 'low' });
    expect(inferred.hypotheses[0]?.text).toMatch(/inferred from E1 only/);

    // Several lines of one log are one source: a status "error" bears out no cause in particular.
    const oneLog = await seed("Search isn't working. Can you check search-index-09?");
    expect(oneLog.hypotheses[0]).toMatchObject({ confidence: 'medium' });
    expect(oneLog.hypotheses[0]?.text).toMatch(/\(2 matching lines in E2\)$/);

    // A change record and the errors after it are two sources.
    const deploy = await plan(
      scenario(
        'api-01 returns 500s',
        server(
          'api-01',
          `health: { cpu: 60, memory: 40, status: error }
logs: ["TypeError: Cannot read properties of undefined (reading 'id')"]`,
        ),
        '  changes: [{ service: svc, minutes_ago: 10, description: "deploy v3" }]\n',
      ),
    );
    expect(deploy.hypotheses[0]).toMatchObject({ confidence: 'high' });
  });
});
