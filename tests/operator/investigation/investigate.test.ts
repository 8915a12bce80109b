import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/env.ts';
import { IncidentBrief } from '../../../src/domain/brief.ts';
import { computeEscalation } from '../../../src/operator/decision/escalation.ts';
import {
  type PlanContext,
  type Planner,
  PlannerFailure,
  type PlanOutcome,
} from '../../../src/operator/decision/planners/planner.ts';
import { RulesPlanner } from '../../../src/operator/decision/planners/rules/planner.ts';
import type { Signal } from '../../../src/operator/decision/signals/index.ts';
import type { ProgressEvent } from '../../../src/operator/investigation/investigate.ts';
import { readBrief } from '../../../src/operator/presentation/brief.ts';
import { createRuntime } from '../../../src/root/runtime.ts';
import { SqliteStore } from '../../../src/store/sqlite/index.ts';
import type { HealthBackend, HealthSample } from '../../../src/tools/backends.ts';
import { SimulatedFleet } from '../../../src/tools/fleet/simulated.ts';
import { LocalEscalator } from '../../../src/tools/local-escalator.ts';
import { ManualClock } from '../../../testing/clock.ts';
import { draftOf } from '../../support/evidence.ts';
import { backendsOf, fleetOf, SEED_SERVERS, seedFleet, server } from '../../support/fleet.ts';
import { ScriptedPlanner } from '../../support/planners.ts';
import { APPROVER, ApproverList, testRuntime } from '../../support/runtime.ts';

/** The five seed reports and what the operator must decide for each. */
const SEEDS = [
  {
    report: 'The payment-server-01 is extremely slow and timing out.',
    server: 'payment-server-01',
    action: 'restart',
  },
  { report: 'Something is wrong with db-node-02', server: 'db-node-02', action: 'monitor' },
  {
    report: 'Users are reporting login failures on auth-service-03.',
    server: 'auth-service-03',
    action: 'restart',
  },
  {
    report: "Search isn't working. Can you check search-index-09?",
    server: 'search-index-09',
    action: 'escalate',
  },
  {
    report: 'Check frontend-node-04 just to be safe.',
    server: 'frontend-node-04',
    action: 'monitor',
  },
] as const;

class FailingPlanner implements Planner {
  readonly name = 'openai';
  readonly model = 'broken-model';
  async plan(_context: PlanContext): Promise<PlanOutcome> {
    throw new PlannerFailure('the model answered with an invalid brief twice', {
      turns: 2,
      toolCalls: 1,
      tokens: { prompt: 900, completion: 120 },
    });
  }
}

class SilentHealth implements HealthBackend {
  readonly name = 'silent';
  getHealth(): Promise<HealthSample> {
    return new Promise(() => {});
  }
}

describe('operator, end to end with the rules planner', () => {
  describe.each(SEEDS)('$report', ({ report, server: id, action }) => {
    it(`decides ${action}, with a valid brief built from evidence`, async () => {
      const rt = await testRuntime();
      const investigation = await rt.triage(report);
      const { brief } = investigation;

      expect(IncidentBrief.parse(brief)).toEqual(brief);
      expect(brief.action).toBe(action);
      expect(brief.servers).toEqual([id]);
      expect(brief.escalation).toBe(
        computeEscalation({ category: brief.category, severity: brief.severity, action }),
      );
      expect(brief.planner).toMatchObject({ planner: 'rules', model: null, fallbackReason: null });

      // Health, logs and changes were gathered, and every fact cites real evidence.
      expect(brief.evidence.map((e) => e.source.tool).sort()).toEqual([
        'fetch_recent_logs',
        'get_server_health',
        'list_recent_changes',
      ]);
      const ids = new Set(brief.evidence.map((e) => e.id));
      expect(brief.facts.length).toBeGreaterThan(0);
      for (const fact of brief.facts) for (const e of fact.evidence) expect(ids).toContain(e);

      // The stored brief is the one returned, and the incident was audited as opened.
      const stored = await rt.store.incidents.get(brief.incidentId);
      expect(await readBrief(rt.store, brief.incidentId)).toEqual(brief);
      expect(stored?.report).toBe(report);
      const audit = await rt.store.audit.list({ incidentId: brief.incidentId });
      expect(audit.at(-1)).toMatchObject({ event: 'incident.opened', actor: 'cli:tester' });

      if (action === 'restart') {
        expect(investigation.proposal).toMatchObject({ serverId: id, state: 'pending' });
        expect(brief.restart).toEqual({
          serverId: id,
          proposalId: investigation.proposal?.id,
          expiresAt: '2025-03-01T09:30:00.000Z',
        });
        expect(investigation.calledTools).toContain('restart_service');
        expect(investigation.calledTools).not.toContain('escalate_to_engineer');
      } else {
        expect(investigation.proposal).toBeNull();
        expect(brief.restart).toBeNull();
        expect(investigation.calledTools).not.toContain('restart_service');
      }
      if (action === 'escalate') {
        expect(brief.escalation).not.toBe('hold');
        expect(investigation.escalation).toMatchObject({ sent: true });
        expect(rt.escalator.sent).toHaveLength(1);
        expect(investigation.calledTools).toContain('escalate_to_engineer');
        expect(brief.escalationPackage.actionsTaken.map((a) => a.action)).toEqual([
          'Escalated to local record (no escalation destination configured)',
        ]);
      } else {
        expect(investigation.escalation).toBeNull();
        expect(rt.escalator.sent).toEqual([]);
      }
      if (action === 'monitor') {
        expect(brief).toMatchObject({ category: 'unknown', severity: 'sev3', escalation: 'hold' });
      }
      expect(rt.fleet.restartCount(id)).toBe(0);
    });
  });

  it('a restart proposal names its evidence in the proposal reason', async () => {
    const rt = await testRuntime();
    const { proposal } = await rt.triage(SEEDS[0].report);
    expect(proposal?.reason).toMatch(/\(E\d+(, E\d+)*: /);
    expect(proposal?.reason).toMatch(/hung/);
  });

  it('search: the brief says a restart will not help and why', async () => {
    const rt = await testRuntime();
    const { brief } = await rt.triage(SEEDS[3].report);
    expect(brief.summary).toMatch(/restart will not help/);
    expect(brief.escalationPackage.ownership).toMatchObject({ service: 'search' });
    expect(brief.escalationPackage.ownership.dependencies).toContain('elastic-cluster-main:9200');
  });

  it('emits progress in order: opened, scope, evidence…, reasoning, decided', async () => {
    const rt = await testRuntime();
    const progress: ProgressEvent[] = [];
    const investigation = await rt.operator.investigate(
      { report: SEEDS[0].report, source: 'slack', actor: 'U0REPORTER' },
      (event) => progress.push(event),
    );
    expect(progress.map((e) => e.stage)).toEqual([
      'opened',
      'scope',
      'evidence',
      'evidence',
      'evidence',
      'reasoning',
      'decided',
    ]);
    expect(progress[0]).toEqual({ stage: 'opened', incidentId: investigation.brief.incidentId });
    expect(progress[1]).toEqual({ stage: 'scope', servers: ['payment-server-01'], unknown: [] });
    expect(progress.slice(2, 5)).toEqual(
      expect.arrayContaining([
        { stage: 'evidence', tool: 'get_server_health', subject: 'payment-server-01', ok: true },
        { stage: 'evidence', tool: 'fetch_recent_logs', subject: 'payment-server-01', ok: true },
        { stage: 'evidence', tool: 'list_recent_changes', subject: 'payments', ok: true },
      ]),
    );
    expect(progress[5]).toEqual({ stage: 'reasoning', planner: 'rules' });
    expect(progress[6]).toEqual({ stage: 'decided', action: 'restart' });
  });

  it('an unknown server gets monitor and a clear answer, never a guess', async () => {
    const rt = await testRuntime();
    const progress: ProgressEvent[] = [];
    const investigation = await rt.operator.investigate(
      { report: 'payment-server-07 is down!', source: 'cli', actor: 'cli:ana' },
      (event) => progress.push(event),
    );
    const known = Object.keys(SEED_SERVERS).sort().join(', ');
    expect(investigation.brief).toMatchObject({
      action: 'monitor',
      escalation: 'hold',
      servers: [],
      evidence: [],
      summary: `Nothing investigated: no server named "payment-server-07"; known: ${known}.`,
    });
    expect(investigation.proposal).toBeNull();
    expect(investigation.calledTools).toEqual([]);
    expect(progress.map((e) => e.stage)).toEqual(['opened', 'scope', 'decided']);
    expect(progress[1]).toEqual({ stage: 'scope', servers: [], unknown: ['payment-server-07'] });
    expect(rt.escalator.sent).toEqual([]);
  });

  it('falls back to the rules planner when the model fails, and says so', async () => {
    const rt = await testRuntime({ planner: new FailingPlanner() });
    const progress: ProgressEvent[] = [];
    const investigation = await rt.operator.investigate(
      { report: SEEDS[0].report, source: 'cli', actor: 'cli:ana' },
      (event) => progress.push(event),
    );
    expect(progress.map((e) => e.stage)).toContain('fallback');
    expect(investigation.brief.action).toBe('restart');
    expect(investigation.brief.planner).toMatchObject({
      planner: 'rules',
      model: 'broken-model',
      fallbackReason: 'the model answered with an invalid brief twice',
      turns: 2,
      toolCalls: 1,
      tokens: { prompt: 900, completion: 120 },
    });
    expect(investigation.brief.policyNotes[0]).toMatch(/^The model was not used for this brief/);
  });

  it('reports a report naming several servers with all of them in scope', async () => {
    const rt = await testRuntime();
    const { brief } = await rt.triage('db-node-02 and frontend-node-04 both look odd');
    expect(brief.servers).toEqual(['db-node-02', 'frontend-node-04']);
    expect(brief.action).toBe('monitor');
    expect(new Set(brief.evidence.map((e) => e.source.subject))).toEqual(
      new Set(['db-node-02', 'frontend-node-04', 'orders-db', 'web']),
    );
  });

  it('tells apart environments: a staging report is never sev0/sev1', async () => {
    const rt = await testRuntime({
      fleet: {
        ...fleetOf({
          'auth-service-03': { ...structuredClone(SEED_SERVERS['auth-service-03']) },
        }),
        environment: 'staging',
      },
    });
    const { brief } = await rt.triage(SEEDS[2].report);
    expect(brief.environment).toBe('staging');
    expect(['sev2', 'sev3']).toContain(brief.severity);
  });

  it('an approved seed restart recovers and the stored brief says so', async () => {
    const rt = await testRuntime();
    const { proposal } = await rt.triage(SEEDS[2].report);
    if (!proposal) throw new Error('expected a proposal');
    const outcome = await rt.approvals.approve(proposal.id, APPROVER);
    expect(outcome).toMatchObject({ kind: 'restarted', recovered: true, escalation: null });
    expect(rt.fleet.restartCount('auth-service-03')).toBe(1);
    const again = await rt.triage(SEEDS[2].report);
    expect(again.brief.action).toBe('monitor');
  });

  it('a hung backend cannot hold an investigation past its deadline', async () => {
    const clock = new ManualClock();
    const fleet = SimulatedFleet.fromFleet(seedFleet(), clock);
    const runtime = await createRuntime(
      parseConfig({ PLANNER_DEADLINE_MS: '1000', TOOL_TIMEOUT_MS: '60000' }),
      {
        store: SqliteStore.open(':memory:'),
        backends: { ...backendsOf(fleet), health: new SilentHealth() },
        escalator: new LocalEscalator(),
        approvers: new ApproverList([APPROVER]),
        clock,
      },
    );
    const started = performance.now();
    const { brief } = await runtime.operator.investigate({
      report: SEEDS[0].report,
      source: 'cli',
      actor: 'cli:ana',
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    const health = brief.evidence.find((e) => e.source.tool === 'get_server_health');
    expect(health?.data).toEqual({
      kind: 'error',
      message:
        'get_server_health(payment-server-01) was cancelled: the investigation ran out of time',
    });
    expect(brief.facts.map((f) => f.text).join('\n')).toMatch(/Could not get server health/);
    await runtime.close();
  });

  it('an incident with a hot server but also a healthy one proposes only the hot one', async () => {
    const rt = await testRuntime({
      fleet: fleetOf({
        'payment-server-01': structuredClone(SEED_SERVERS['payment-server-01']),
        'quiet-01': server({
          service: 'payments',
          health: { cpu: 5, memory: 5, status: 'healthy' },
        }),
      }),
    });
    const investigation = await rt.triage('payments are slow');
    expect(investigation.brief.servers.sort()).toEqual(['payment-server-01', 'quiet-01']);
    expect(investigation.proposal?.serverId).toBe('payment-server-01');
  });

  describe('signals are found once per investigation', () => {
    it('the planner is handed the signals of the prefetched evidence', async () => {
      let seen: readonly Signal[] = [];
      const rt = await testRuntime({
        planner: new ScriptedPlanner((context) => {
          seen = context.signals;
          return draftOf({ action: 'restart', restartServer: 'payment-server-01' });
        }),
      });
      const investigation = await rt.triage(SEEDS[0].report);
      expect(seen.map((s) => s.id)).toEqual(
        expect.arrayContaining(['high_cpu', 'hung_process', 'resource_exhaustion']),
      );
      expect(new Set(seen.map((s) => s.subject))).toEqual(new Set(['payment-server-01']));
      // Nothing was added after prefetch, so the guard decided from the very same signals.
      expect(investigation.proposal?.serverId).toBe('payment-server-01');
    });

    it('evidence a planner adds with its tool calls is checked by the guard too', async () => {
      // The model reads search-index-09's logs (a dependency failure) and still asks for a
      // restart: the guard must see the signals of that new evidence and refuse.
      const rt = await testRuntime({
        planner: new ScriptedPlanner(
          draftOf({ action: 'restart', restartServer: 'payment-server-01' }),
          [{ tool: 'fetch_recent_logs', args: { server_id: 'search-index-09', lines: 20 } }],
        ),
      });
      const investigation = await rt.triage(SEEDS[0].report);
      expect(investigation.proposal).toBeNull();
      expect(investigation.brief.action).toBe('escalate');
      expect(investigation.brief.policyNotes.join('\n')).toMatch(
        /restart of payment-server-01 refused: dependency failure signature present/,
      );
    });

    it('the rules fallback sees the evidence the failed model gathered', async () => {
      class GatherThenFail implements Planner {
        readonly name = 'openai';
        readonly model = 'gather-then-fail';
        async plan(context: PlanContext): Promise<PlanOutcome> {
          await context.toolbox.call(
            context.session,
            'fetch_recent_logs',
            { server_id: 'search-index-09', lines: 20 },
            context.signal,
          );
          throw new PlannerFailure('invalid brief twice', {
            turns: 2,
            toolCalls: 1,
            tokens: { prompt: 1, completion: 1 },
          });
        }
      }
      const rt = await testRuntime({ planner: new GatherThenFail() });
      const { brief } = await rt.triage(SEEDS[0].report);
      expect(brief.planner.fallbackReason).toMatch(/invalid brief twice/);
      expect(brief.facts.map((f) => f.text).join('\n')).toMatch(
        /search-index-09 logs show dependency failure/,
      );
    });
  });

  describe('an incident opened first and investigated later, as a queued job does', () => {
    it('investigates the opened incident without opening another', async () => {
      const rt = await testRuntime();
      const presentation = { place: 'thread-1.1', message: 'message-1.2' };
      const opened = await rt.operator.open({
        report: 'The payment-server-01 is extremely slow and timing out.',
        source: 'slack',
        actor: 'U1',
        presentation,
      });
      const investigation = await rt.operator.investigate({
        report: 'ignored: the stored report is used',
        source: 'slack',
        actor: 'U1',
        incidentId: opened.id,
      });
      expect(investigation.brief.incidentId).toBe(opened.id);
      expect(investigation.brief.report).toBe(opened.report);
      expect((await rt.store.incidents.get(opened.id))?.presentation).toEqual(presentation);
      const opens = (await rt.store.audit.list()).filter((e) => e.event === 'incident.opened');
      expect(opens).toHaveLength(1);
    });

    it('a retried investigation reuses its restart proposal instead of proposing twice', async () => {
      const rt = await testRuntime();
      const request = {
        report: 'payment-server-01 is hung',
        source: 'slack' as const,
        actor: 'U1',
      };
      const opened = await rt.operator.open(request);
      const first = await rt.operator.investigate({ ...request, incidentId: opened.id });
      const retry = await rt.operator.investigate({ ...request, incidentId: opened.id });
      expect(retry.proposal?.id).toBe(first.proposal?.id);
      expect(await rt.store.proposals.forIncident(opened.id)).toHaveLength(1);
      const created = (await rt.store.audit.list()).filter((e) => e.event === 'proposal.created');
      expect(created).toHaveLength(1);
    });

    it('a retried investigation does not escalate twice', async () => {
      const rt = await testRuntime();
      const request = {
        report: 'search-index-09 is failing',
        source: 'slack' as const,
        actor: 'U1',
      };
      const opened = await rt.operator.open(request);
      await rt.operator.investigate({ ...request, incidentId: opened.id });
      const retry = await rt.operator.investigate({ ...request, incidentId: opened.id });
      expect(retry.escalation?.sent).toBe(true);
      expect(rt.escalator.sent).toHaveLength(1);
      const sent = (await rt.store.audit.list()).filter((e) => e.event === 'escalation.sent');
      expect(sent).toHaveLength(1);
      expect(retry.brief.escalationPackage.actionsTaken.map((a) => a.action)).toEqual([
        expect.stringMatching(/^Escalated to/),
      ]);
    });

    it('refuses to investigate an incident that does not exist', async () => {
      const rt = await testRuntime();
      await expect(
        rt.operator.investigate({
          report: 'x',
          source: 'slack',
          actor: 'U1',
          incidentId: 'INC-FFFFFFFF',
        }),
      ).rejects.toThrow(/INC-FFFFFFFF does not exist/);
    });
  });

  describe('alerts', () => {
    it('an alert that resolved before its investigation finished proposes and pages nothing', async () => {
      const rt = await testRuntime();
      const report = 'The payment-server-01 is extremely slow and timing out.';
      const incident = await rt.operator.open({
        report,
        source: 'webhook',
        actor: 'alertmanager:x',
      });
      await rt.store.audit.append({
        at: rt.clock.now().toISOString(),
        incident_id: incident.id,
        event: 'incident.resolved',
        actor: 'operator',
        details: { via: 'alertmanager', reason: 'the alert resolved', fingerprint: 'fp' },
      });
      const done = await rt.operator.investigate({
        report,
        source: 'webhook',
        actor: 'alertmanager:x',
        incidentId: incident.id,
      });
      expect(done.proposal).toBeNull();
      expect(done.brief).toMatchObject({
        action: 'monitor',
        escalation: 'hold',
        state: 'resolved',
      });
      expect(done.brief.policyNotes.at(-1)).toMatch(
        /the alert resolved at .* no restart is proposed/,
      );
      expect(await rt.store.proposals.forIncident(incident.id)).toEqual([]);
    });

    it("a server named only outside the alert's subject is context: investigated, never restarted", async () => {
      const rt = await testRuntime();
      const done = await rt.operator.investigate({
        report: 'Disk alert on db-node-02\nrunbook: if the API is slow, check payment-server-01',
        source: 'webhook',
        actor: 'alertmanager:x',
        subject: 'Disk alert on db-node-02',
      });
      expect(done.brief.servers).toEqual(['db-node-02', 'payment-server-01']);
      expect(done.brief.scopeNotes).toEqual({ skipped: [], context: ['payment-server-01'] });
      expect(done.proposal).toBeNull();
      expect(done.brief.policyNotes.join(' ')).toMatch(
        /restart of payment-server-01 refused: the alert names payment-server-01 only in its description/,
      );
    });
  });
});

describe('a preliminary brief while a model plans', () => {
  /** A model planner that answers only when the test lets it, with the rules' own draft. */
  function heldModel(): Planner & { release(): void; planned: boolean } {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const rules = new RulesPlanner();
    return {
      name: 'openai',
      model: 'held-model',
      planned: false,
      release: () => release(),
      async plan(context) {
        await gate;
        this.planned = true;
        return rules.plan(context);
      },
    };
  }

  it('comes from the rules on the prefetched evidence, before the model answers, proposing nothing', async () => {
    const model = heldModel();
    const rt = await testRuntime({ planner: model });
    const seen: { action: string; restart: unknown; proposals: number; planned: boolean }[] = [];
    const running = rt.operator.investigate(
      { report: SEEDS[0].report, source: 'slack', actor: 'U1' },
      {
        onPreliminary: async (brief) => {
          seen.push({
            action: brief.action,
            restart: brief.restart,
            proposals: (await rt.store.proposals.forIncident(brief.incidentId)).length,
            planned: model.planned,
          });
          model.release();
        },
      },
    );
    const { brief, proposal } = await running;
    expect(seen).toEqual([{ action: 'restart', restart: null, proposals: 0, planned: false }]);
    expect(proposal?.serverId).toBe('payment-server-01');
    expect(brief.restart?.proposalId).toBe(proposal?.id);
  });

  it('is not made when the rules planner is the planner', async () => {
    const rt = await testRuntime();
    let called = 0;
    await rt.operator.investigate(
      { report: SEEDS[0].report, source: 'slack', actor: 'U1' },
      { onPreliminary: () => void called++ },
    );
    expect(called).toBe(0);
  });
});
