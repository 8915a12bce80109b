import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IncidentBrief } from '../../src/domain/brief.ts';
import { runCli, tempDataDir } from '../support/cli.ts';

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';

const TriageJson = z.object({
  incident_id: z.string(),
  action: z.enum(['restart', 'escalate', 'monitor']),
  category: z.string(),
  severity: z.string(),
  escalation: z.string(),
  proposal: z.object({ id: z.string(), server_id: z.string(), expires_at: z.string() }).nullable(),
  brief: IncidentBrief,
  outcome: z.object({ kind: z.string() }).loose().nullable(),
});

describe('npm run triage', () => {
  it('--json --approve: one JSON object with the decision at top level and the outcome of the restart', async () => {
    const run = await runCli('triage', [PAYMENT, '--json', '--approve']);
    expect(run.code).toBe(0);
    const out = TriageJson.parse(JSON.parse(run.stdout));
    expect(out).toMatchObject({
      action: 'restart',
      category: 'performance',
      severity: 'sev2',
      escalation: 'hold',
    });
    expect(out.outcome).toMatchObject({ kind: 'restarted', state: 'recovered', recovered: true });
    expect(out.brief.escalationPackage.actionsTaken.map((a) => a.action)).toEqual([
      expect.stringMatching(/^Restart of payment-server-01 approved by cli:/),
      'Restarted payment-server-01',
      expect.stringMatching(/recovered \(cpu 98% → 31%/),
    ]);
    // Progress goes to stderr, so stdout stays one JSON object.
    expect(run.stderr).toMatch(/get_server_health\(payment-server-01\) ✓/);
  });

  it('--deny records the denial and escalates', async () => {
    const run = await runCli('triage', [PAYMENT, '--json', '--deny']);
    const out = TriageJson.parse(JSON.parse(run.stdout));
    expect(out.outcome).toMatchObject({ kind: 'denied', state: 'denied', escalated: true });
  });

  it('without a terminal and without --approve/--deny it never waits: the proposal stays pending', async () => {
    const dataDir = tempDataDir();
    const run = await runCli('triage', [PAYMENT], { dataDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Restart of payment-server-01 is pending \(proposal [0-9a-f-]+/);
    expect(run.stdout).toMatch(/npm run decide -- [0-9a-f-]+ --approve/);
    expect(run.stdout).toMatch(/What we know/);
  });

  it('prints a readable brief for an escalation', async () => {
    const run = await runCli('triage', ["Search isn't working. Can you check search-index-09?"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/SEV1 · availability · escalation: page_l1 · action: escalate/);
    expect(run.stdout).toMatch(/Dependency Unreachable: Search Engine is down/);
    expect(run.stdout).toMatch(/dependencies elastic-cluster-main:9200/);
    expect(run.stdout).not.toMatch(/without a clear signature/);
    expect(run.stdout).toMatch(/↗ Escalated to/);
  });

  it('an unknown server gets a clear answer listing the known ones', async () => {
    const run = await runCli('triage', ['web-server-99 is down', '--json']);
    const out = TriageJson.parse(JSON.parse(run.stdout));
    expect(out.action).toBe('monitor');
    expect(out.brief.summary).toMatch(
      /no server named "web-server-99"; known: .*payment-server-01/,
    );
  });

  it('--fleet uses another fleet, and a bad one is refused naming the field (exit 2)', async () => {
    const dir = tempDataDir();
    const good = join(dir, 'fleet.yaml');
    writeFileSync(
      good,
      'servers:\n  api-7:\n    health: { cpu: 99, memory: 20, status: warning }\n    logs: ["[CRITICAL] Process hung, not accepting new connections"]\n',
    );
    const run = await runCli('triage', ['api-7 is slow', '--json', '--fleet', good]);
    expect(TriageJson.parse(JSON.parse(run.stdout)).action).toBe('restart');

    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'servers:\n  api-7:\n    health: { cpu: 150, memory: 20, status: warning }\n',
    );
    const refused = await runCli('triage', ['api-7 is slow', '--fleet', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/servers\.api-7\.health\.cpu: must be 0–100/);
  });

  it('says how to use it when the report is missing or flags conflict (exit 2)', async () => {
    const empty = await runCli('triage', []);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/triage needs a report[\s\S]*usage: npm run triage/);
    const both = await runCli('triage', [PAYMENT, '--approve', '--deny']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--approve and --deny cannot be used together/);
    const env = await runCli('triage', [PAYMENT, '--environment', 'qa']);
    expect(env.stderr).toMatch(/--environment must be prod, staging or dev/);
  });

  it('reports bad configuration by variable name (exit 2)', async () => {
    const run = await runCli('triage', [PAYMENT], {
      env: { RESTART_THRESHOLD_PERCENT: '120', PLANNER_MAX_TURNS: 'lots' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/RESTART_THRESHOLD_PERCENT: must be at most 100/);
    expect(run.stderr).toMatch(/PLANNER_MAX_TURNS: must be a whole number/);
  });
});

describe('npm run decide', () => {
  it('settles a pending proposal once; a second decision fails with the reason', async () => {
    const dataDir = tempDataDir();
    const triage = TriageJson.parse(
      JSON.parse((await runCli('triage', [PAYMENT, '--json'], { dataDir })).stdout),
    );
    const id = triage.proposal?.id ?? '';
    const approved = await runCli('decide', [id, '--approve', '--json'], { dataDir });
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ kind: 'restarted', state: 'recovered' });
    const again = await runCli('decide', [id, '--deny'], { dataDir });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/already approved/);
    const unknown = await runCli('decide', ['no-such-id', '--approve'], { dataDir });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/unknown/);
  });
});

describe('npm run audit', () => {
  it("--json: the store's audit log, newest first, with the fixed event names", async () => {
    const dataDir = tempDataDir();
    await runCli('triage', [PAYMENT, '--approve'], { dataDir });
    const run = await runCli('audit', ['--json'], { dataDir });
    expect(run.code).toBe(0);
    const entries = z
      .array(
        z
          .object({
            at: z.string(),
            incident_id: z.string(),
            event: z.string(),
            actor: z.string(),
            details: z.record(z.string(), z.unknown()),
          })
          .strict(),
      )
      .parse(JSON.parse(run.stdout));
    expect(entries.map((e) => e.event)).toEqual([
      'restart.verified',
      'restart.executed',
      'restart.started',
      'proposal.approved',
      'proposal.created',
      'incident.opened',
    ]);
    const limited = await runCli('audit', ['--json', '--limit', '2'], { dataDir });
    expect(JSON.parse(limited.stdout)).toHaveLength(2);
    const table = await runCli('audit', [], { dataDir });
    expect(table.stdout).toMatch(/proposal\.approved/);
    expect((await runCli('audit', ['--limit', '0'], { dataDir })).code).toBe(2);
  });

  it('says so when the log is empty', async () => {
    const run = await runCli('audit', []);
    expect(run.stdout).toMatch(/The audit log is empty/);
  });
});

describe('npm run demo', () => {
  it('runs the seed incidents end to end on the built-in fleet and exits 0', async () => {
    const run = await runCli('demo', [], { timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Restarted payment-server-01 .*recovered/);
    expect(run.stdout).toMatch(/db-node-02: no problem found/);
    expect(run.stdout).toMatch(/search-index-09: dependency unreachable/);
    expect(run.stdout).toMatch(/Unknown server: web-server-99/);
  }, 60_000);
});
