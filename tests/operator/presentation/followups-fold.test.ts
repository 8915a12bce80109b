import { describe, expect, it } from 'vitest';
import { deriveBrief } from '../../../src/operator/presentation/brief.ts';
import { auditEntry } from '../../support/audit.ts';
import { sampleAssessment, sampleBrief } from '../../support/brief.ts';

describe('follow-ups in the brief', () => {
  const incident = {
    id: 'INC-1',
    createdAt: '2025-03-01T09:00:00.000Z',
    source: 'slack' as const,
    report: 'payment-server-01 is slow',
  };

  it('evidence an answer gathered joins the brief, and answers and re-assessments join its timeline', () => {
    const [e1] = sampleBrief('INC-1').evidence;
    if (!e1) throw new Error('sample evidence');
    const e2 = { ...e1, id: 'E2', summary: 'payment-server-01: 50 recent log lines' };
    const brief = deriveBrief(incident, sampleAssessment(), [
      auditEntry('followup.answered', {
        at: '2025-03-01T09:05:00.000Z',
        actor: 'U0HUMAN',
        details: {
          question: 'show 50 more log lines',
          intent: 'logs',
          answer: '…',
          cited: ['E2'],
          evidence: [e2, { ...e1 }],
        },
      }),
      auditEntry('incident.reassessed', {
        at: '2025-03-01T09:06:00.000Z',
        actor: 'U0HUMAN',
        details: {
          reason: 'also check db-node-02',
          servers: ['payment-server-01', 'db-node-02'],
          previous_action: 'restart',
          action: 'escalate',
        },
      }),
      auditEntry('postmortem.drafted', { at: '2025-03-01T09:30:00.000Z' }),
    ]);
    // E1 was there already: only the new evidence is added, once.
    expect(brief.evidence.map((e) => e.id)).toEqual(['E1', 'E2']);
    expect(brief.escalationPackage.timeline.map((t) => t.event)).toEqual([
      'First signal: reported via slack',
      'Follow-up from U0HUMAN (logs): show 50 more log lines',
      'Re-assessed after a follow-up from U0HUMAN (also check db-node-02): scope payment-server-01, db-node-02; decision restart → escalate',
      'Postmortem draft posted (command; 3 open questions)',
    ]);
    // None of them is an action taken.
    expect(brief.escalationPackage.actionsTaken).toEqual([]);
  });
});
