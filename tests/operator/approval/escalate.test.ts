import { describe, expect, it } from 'vitest';
import { missingFromPackage, sendEscalation } from '../../../src/operator/approval/escalate.ts';
import { readBrief } from '../../../src/operator/presentation/brief.ts';
import type { EscalationReceipt, Escalator } from '../../../src/tools/backends.ts';
import { sampleAssessment, sampleBrief } from '../../support/brief.ts';
import { testRuntime } from '../../support/runtime.ts';

class DownEscalator implements Escalator {
  readonly name = 'pagerduty';
  async send(): Promise<EscalationReceipt> {
    throw new Error('401 from https://events.pagerduty.com with routing_key=R0ut1ngK3y');
  }
}

describe('sending an escalation', () => {
  it('lists everything the minimum package lacks', () => {
    const brief = sampleBrief('INC-1');
    expect(missingFromPackage(brief)).toEqual([]);
    expect(
      missingFromPackage({
        ...brief,
        servers: [],
        escalationPackage: {
          ...brief.escalationPackage,
          impact: '  ',
          timeline: [],
          evidence: [],
          ownership: { ...brief.escalationPackage.ownership, service: null },
        },
      }),
    ).toEqual(['impact', 'timeline', 'evidence', 'ownership (no service or server)']);
  });

  it('sends, audits, and marks it in the stored brief, paging at least L1', async () => {
    const rt = await testRuntime();
    const incident = await rt.store.incidents.create({
      source: 'cli',
      report: 'r',
      now: rt.clock.now(),
    });
    await rt.store.incidents.saveAssessment(incident.id, sampleAssessment());
    const brief = await readBrief(rt.store, incident.id);
    if (!brief) throw new Error('no brief');
    const result = await sendEscalation(
      { store: rt.store, escalator: rt.escalator, clock: rt.clock },
      brief,
      'restart denied',
    );
    expect(result).toMatchObject({ sent: true, brief: { escalation: 'page_l1' } });
    expect(rt.escalator.sent[0]).toMatchObject({
      incidentId: incident.id,
      reason: 'restart denied',
      brief: { escalation: 'page_l1' },
    });
    const [audit] = await rt.store.audit.list({ incidentId: incident.id });
    expect(audit).toMatchObject({
      event: 'escalation.sent',
      actor: 'operator',
      details: { reason: 'restart denied', escalation: 'page_l1', ref: null },
    });
    const stored = await readBrief(rt.store, incident.id);
    expect(stored?.escalationPackage.actionsTaken).toHaveLength(1);
    expect(stored?.escalation).toBe('page_l1');
  });

  it('keeps a security escalation with security', async () => {
    const rt = await testRuntime();
    const incident = await rt.store.incidents.create({
      source: 'cli',
      report: 'r',
      now: rt.clock.now(),
    });
    const brief = {
      ...sampleBrief(incident.id),
      category: 'security' as const,
      escalation: 'engage_security' as const,
    };
    const result = await sendEscalation(
      { store: rt.store, escalator: rt.escalator, clock: rt.clock },
      brief,
      'miner found',
    );
    expect(result.brief.escalation).toBe('engage_security');
  });

  it('reports a destination that fails, without claiming it was sent', async () => {
    const rt = await testRuntime();
    const incident = await rt.store.incidents.create({
      source: 'cli',
      report: 'r',
      now: rt.clock.now(),
    });
    const brief = sampleBrief(incident.id);
    const result = await sendEscalation(
      { store: rt.store, escalator: new DownEscalator(), clock: rt.clock },
      brief,
      'why',
    );
    expect(result).toEqual({
      sent: false,
      reason:
        'escalation to pagerduty failed: 401 from https://events.pagerduty.com with routing_key=[REDACTED]',
      brief,
    });
    expect(await rt.store.audit.list()).toEqual([]);
  });
});
