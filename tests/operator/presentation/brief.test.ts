import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditEventName } from '../../../src/domain/audit.ts';
import { resolveScope } from '../../../src/operator/investigation/scope.ts';
import { actionsTaken, deriveBrief, foldEntry } from '../../../src/operator/presentation/brief.ts';
import { auditEntry } from '../../support/audit.ts';
import { briefFrom, sampleAssessment, sampleBrief } from '../../support/brief.ts';
import { draftOf, evidenceFor } from '../../support/evidence.ts';
import { seedFleet } from '../../support/fleet.ts';

const T = '2025-03-01T09:05:00.000Z';
const entry = (
  event: AuditEventName,
  actor: string,
  details: Record<string, unknown> = {},
  at = T,
): AuditEntry => auditEntry(event, { at, actor, details });

const APPROVAL_RUN: AuditEntry[] = [
  entry('incident.opened', 'cli:ana', {}, '2025-03-01T09:00:00.000Z'),
  entry(
    'proposal.created',
    'operator',
    { server_id: 'payment-server-01' },
    '2025-03-01T09:00:00.000Z',
  ),
  entry('approval.refused', 'U0STRANGER', { server_id: 'payment-server-01' }),
  entry('proposal.approved', 'U0APPROVER', { server_id: 'payment-server-01' }),
  entry('restart.executed', 'operator', { server_id: 'payment-server-01' }),
  entry('restart.verified', 'operator', {
    server_id: 'payment-server-01',
    recovered: false,
    before: { cpu: 98, memory: 40, status: 'warning' },
    after: { cpu: 97, memory: 41, status: 'warning' },
  }),
  entry('escalation.sent', 'operator', { target: '#incidents' }),
];

describe('brief', () => {
  it('turns audit entries into actions taken, in causal order whatever order they come in', () => {
    const expected = [
      { at: T, actor: 'U0APPROVER', action: 'Restart of payment-server-01 approved by U0APPROVER' },
      { at: T, actor: 'operator', action: 'Restarted payment-server-01' },
      {
        at: T,
        actor: 'operator',
        action:
          'Health re-checked after restart of payment-server-01: did NOT recover (cpu 98% → 97%, memory 40% → 41%, status warning)',
      },
      { at: T, actor: 'operator', action: 'Escalated to #incidents' },
    ];
    expect(actionsTaken(APPROVAL_RUN)).toEqual(expected);
    expect(actionsTaken([...APPROVAL_RUN].reverse())).toEqual(expected);
    const shuffled = [3, 6, 0, 5, 2, 4, 1].map((i) => APPROVAL_RUN[i] as AuditEntry);
    expect(actionsTaken(shuffled)).toEqual(expected);
  });

  it('describes denials, expiries and failures, and nothing that is not an action', () => {
    expect(
      actionsTaken([
        entry('proposal.denied', 'U1', { server_id: 's-1' }, '2025-03-01T09:01:00.000Z'),
        entry('proposal.expired', 'operator', { server_id: 's-2' }, '2025-03-01T09:02:00.000Z'),
        entry(
          'restart.failed',
          'operator',
          { server_id: 's-3', error: 'boom' },
          '2025-03-01T09:03:00.000Z',
        ),
        entry('incident.opened', 'U1'),
        entry('approval.refused', 'U2'),
      ]).map((a) => a.action),
    ).toEqual([
      'Restart of s-1 denied by U1',
      'Restart proposal for s-2 expired without a decision',
      'Restart of s-3 FAILED: boom',
    ]);
  });

  it('drops facts that cite evidence that does not exist', async () => {
    const inputs = await evidenceFor(seedFleet(), ['db-node-02']);
    const brief = briefFrom({
      incidentId: 'INC-1',
      createdAt: '2025-03-01T09:00:00.000Z',
      source: 'slack',
      report: 'db-node-02?',
      environment: 'prod',
      scope: resolveScope('db-node-02', inputs.scope),
      draft: draftOf({
        facts: [
          { text: 'db-node-02 is healthy', evidence: ['E1'] },
          { text: 'the database was hacked', evidence: ['E99'] },
          { text: 'half real', evidence: ['E1', 'E42'] },
        ],
      }),
      decision: {
        action: 'monitor',
        category: 'unknown',
        severity: 'sev3',
        escalation: 'hold',
        restartServer: null,
        policyNotes: [],
      },
      evidence: inputs.evidence,
      signals: inputs.signals,
      planner: sampleBrief('x').planner,
    });
    expect(brief.facts).toEqual([{ text: 'db-node-02 is healthy', evidence: ['E1'] }]);
    expect(brief.escalationPackage.evidence).toEqual(brief.facts);
    expect(brief.documentationChecklist).toContainEqual({
      item: 'Customer impact confirmed by a human',
      status: 'missing',
    });
    expect(brief.documentationChecklist).toContainEqual({
      item: 'Health and log evidence attached',
      status: 'captured',
    });
    expect(brief.escalationPackage.timeline[0]).toEqual({
      at: '2025-03-01T09:00:00.000Z',
      event: 'First signal: reported via slack',
    });
  });

  it("a model's words lose secrets and unconfirmed claims in every field, not only the title and summary", async () => {
    const inputs = await evidenceFor(seedFleet(), ['db-node-02']);
    const secret = 'password=hunter2 xoxb-123456789012-123456789012-abcdefghijklmnopqrstuvwx';
    const claim = 'I have restarted db-node-02.';
    const brief = briefFrom({
      incidentId: 'INC-2',
      createdAt: '2025-03-01T09:00:00.000Z',
      source: 'slack',
      report: 'db-node-02?',
      environment: 'prod',
      scope: resolveScope('db-node-02', inputs.scope),
      draft: draftOf({
        title: `db-node-02 ${secret}`,
        summary: `Slow queries. ${secret}`,
        facts: [
          { text: `db-node-02 is healthy. ${claim}`, evidence: ['E1'] },
          { text: claim, evidence: ['E1'] },
        ],
        hypotheses: [{ text: `A lock. ${claim} ${secret}`, confidence: 'low' }],
        safeChecks: [`Check locks. ${claim}`],
        nextActions: [`Watch it. ${secret}`],
        impact: `Queries are slow. ${claim}`,
      }),
      decision: {
        action: 'monitor',
        category: 'unknown',
        severity: 'sev3',
        escalation: 'hold',
        restartServer: null,
        policyNotes: [`the planner named ${secret}`],
      },
      evidence: inputs.evidence,
      signals: inputs.signals,
      planner: { ...sampleBrief('x').planner, planner: 'openai', model: 'm' },
    });
    const { policyNotes, ...shown } = brief;
    const said = JSON.stringify(shown);
    expect(said).not.toMatch(/hunter2|xoxb-1234/);
    expect(JSON.stringify(policyNotes)).not.toMatch(/hunter2|xoxb-1234/);
    expect(said).not.toContain('I have restarted');
    expect(brief.facts).toEqual([{ text: 'db-node-02 is healthy.', evidence: ['E1'] }]);
    expect(brief.hypotheses[0]?.text).toMatch(/^A lock\./);
    expect(brief.escalationPackage.impact).toBe('Queries are slow.');
    expect(brief.safeChecks).toContain('Check locks.');
    expect(policyNotes.some((n) => /claimed actions the audit log does not show/.test(n))).toBe(
      true,
    );
  });

  it('deriving from the audit log lists actions taken once, in the timeline too', () => {
    const incident = {
      id: 'INC-1',
      createdAt: '2025-03-01T09:00:00.000Z',
      source: 'cli' as const,
      report: 'r',
    };
    const assessment = sampleAssessment();
    const twice = deriveBrief(incident, assessment, APPROVAL_RUN);
    expect(twice.escalationPackage.actionsTaken).toEqual(actionsTaken(APPROVAL_RUN));
    expect(twice.escalationPackage.timeline.map((t) => t.event)).toEqual([
      'First signal: reported via cli',
      ...actionsTaken(APPROVAL_RUN).map((a) => a.action),
    ]);
    expect(deriveBrief(incident, assessment, APPROVAL_RUN)).toEqual(twice);
    // Folding entries one by one as they are appended gives the same brief.
    const folded = APPROVAL_RUN.reduce(foldEntry, deriveBrief(incident, assessment, []));
    expect(folded).toEqual(twice);
  });

  it('a proposal the audit log shows becomes the restart on a restart brief', () => {
    const incident = { id: 'INC-1', createdAt: T, source: 'cli' as const, report: 'r' };
    const created = auditEntry('proposal.created', {
      details: { proposal_id: 'p-9', server_id: 'payment-server-01', expires_at: T },
    });
    expect(deriveBrief(incident, sampleAssessment(), [created]).restart).toEqual({
      serverId: 'payment-server-01',
      proposalId: 'p-9',
      expiresAt: T,
    });
    const monitor = { ...sampleAssessment(), action: 'monitor' as const };
    expect(deriveBrief(incident, monitor, [created]).restart).toBeNull();
  });

  it('folds the lifecycle: open, mitigating once a restart ran, resolved once its alert resolved', () => {
    const incident = {
      id: 'INC-1',
      createdAt: '2025-03-01T10:28:00.000Z',
      source: 'webhook' as const,
      report: 'r',
    };
    const opened = deriveBrief(incident, sampleAssessment(), []);
    expect(opened).toMatchObject({ state: 'open', resolution: null, links: [] });
    const restarted = entry(
      'restart.executed',
      'operator',
      { server_id: 'payment-server-01', approved_by: 'U0APPROVER' },
      '2025-03-01T10:31:00.000Z',
    );
    const mitigating = deriveBrief(incident, sampleAssessment(), [restarted]);
    expect(mitigating.state).toBe('mitigating');
    const resolved = entry(
      'incident.resolved',
      'operator',
      { via: 'alertmanager', reason: 'the alert resolved: HighCPU' },
      '2025-03-01T10:42:00.000Z',
    );
    const done = deriveBrief(incident, sampleAssessment(), [resolved, restarted]);
    expect(done.state).toBe('resolved');
    expect(done.resolution).toEqual({
      at: '2025-03-01T10:42:00.000Z',
      via: 'alertmanager',
      reason: 'the alert resolved: HighCPU',
      afterMs: 14 * 60_000,
      restart: { serverId: 'payment-server-01', by: 'U0APPROVER', at: '2025-03-01T10:31:00.000Z' },
    });
    // Resolution is an event in the timeline, not an action the bot took.
    expect(done.escalationPackage.actionsTaken.map((a) => a.action)).toEqual([
      'Restarted payment-server-01',
    ]);
    expect(done.escalationPackage.timeline.at(-1)?.event).toBe(
      'Resolved (alertmanager): the alert resolved: HighCPU',
    );
    // A second resolution (a re-sent webhook on another replica) changes nothing.
    const again = { ...resolved, at: '2025-03-01T11:00:00.000Z' };
    expect(deriveBrief(incident, sampleAssessment(), [restarted, resolved, again])).toEqual(done);
  });

  it('records a withdrawn proposal as an action and links as what they are', () => {
    const incident = { id: 'INC-1', createdAt: T, source: 'webhook' as const, report: 'r' };
    const brief = deriveBrief(incident, sampleAssessment(), [
      entry('proposal.withdrawn', 'operator', { server_id: 's-1', reason: 'the alert resolved' }),
      entry('incident.linked', 'operator', {
        linked_incident_id: 'INC-P',
        relation: 'folded_into',
        reason: 'connection refused to es:9200',
        servers: ['search-01'],
      }),
    ]);
    expect(brief.escalationPackage.actionsTaken.map((a) => a.action)).toEqual([
      'Restart proposal for s-1 withdrawn: the alert resolved',
    ]);
    expect(brief.links).toEqual([
      {
        incidentId: 'INC-P',
        relation: 'folded_into',
        reason: 'connection refused to es:9200',
        at: T,
        servers: ['search-01'],
      },
    ]);
    expect(brief.escalationPackage.timeline.map((t) => t.event)).toContain(
      'Folded into INC-P: connection refused to es:9200',
    );
  });
});
