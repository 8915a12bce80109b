import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/domain/audit.ts';
import { draftPostmortem } from '../../../src/operator/postmortem/draft.ts';
import { RESOLVED_EVENT } from '../../../src/operator/presentation/resolution.ts';
import { testRuntime } from '../../support/runtime.ts';

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';

/** An `incident.resolved` entry, as the alert intake records it (the event is read by name). */
function resolvedAt(incidentId: string, at: string): AuditEntry {
  return {
    at,
    incident_id: incidentId,
    event: RESOLVED_EVENT,
    actor: 'alertmanager',
    details: {},
  } as unknown as AuditEntry;
}

describe('the postmortem draft', () => {
  it('after an approved restart: what was done and by whom, and honest open questions', async () => {
    const runtime = await testRuntime();
    const { brief, proposal } = await runtime.triage(PAYMENT);
    if (!proposal) throw new Error('no proposal');
    runtime.clock.advanceMinutes(3);
    const outcome = await runtime.approvals.approve(proposal.id, 'U0APPROVER');
    if (outcome.kind !== 'restarted') throw new Error(outcome.kind);
    const audit = await runtime.store.audit.list({ incidentId: brief.incidentId });
    const proposals = await runtime.store.proposals.forIncident(brief.incidentId);

    const open = draftPostmortem({ brief: outcome.brief, audit, proposals });
    expect(open.resolvedAt).toBeNull();
    expect(open.actions.map((a) => [a.action.split(' ')[0], a.actor])).toEqual([
      ['Restart', 'U0APPROVER'],
      ['Restarted', 'operator'],
      ['Health', 'operator'],
    ]);
    expect(open.openQuestions.join('\n')).toMatch(
      /^Root cause not established: the bot only suspects it/,
    );
    expect(open.openQuestions).toContain(
      'A restart of payment-server-01 cleared the symptom, not its cause: why did it need one?',
    );
    expect(open.openQuestions).toContain(
      'When did it end? No resolution is recorded: the incident is still open.',
    );
    expect(open.openQuestions).toContain(
      'Missing from the record: Customer impact confirmed by a human.',
    );
    expect(open.impactConfirmed).toBe(false);
    expect(open.facts.length).toBeGreaterThan(0);

    const resolved = draftPostmortem({
      brief: outcome.brief,
      audit: [...audit, resolvedAt(brief.incidentId, '2025-03-01T09:14:00.000Z')],
      proposals,
    });
    expect(resolved).toMatchObject({ resolvedAt: '2025-03-01T09:14:00.000Z', durationMinutes: 14 });
    expect(resolved.timeline.at(-1)?.event).toBe('Resolved (alertmanager)');
    expect(resolved.openQuestions.join('\n')).not.toMatch(/still open/);
    await runtime.close();
  });

  it('after an escalation: the record ends there, and says so', async () => {
    const runtime = await testRuntime();
    const { brief } = await runtime.triage("Search isn't working. Can you check search-index-09?");
    const draft = draftPostmortem({
      brief,
      audit: await runtime.store.audit.list({ incidentId: brief.incidentId }),
      proposals: [],
    });
    expect(draft.openQuestions.join('\n')).toMatch(
      /What did the engineers it was escalated to find\? The record ends at the escalation \(local record/,
    );
    expect(draft.hypotheses.length).toBeGreaterThan(0);
    await runtime.close();
  });
});
