import type { IncidentBrief } from '../../src/domain/brief.ts';
import { sampleBrief as storedBrief } from './brief.ts';

/**
 * An escalated brief with full ownership, for escalator tests (PagerDuty wants the on-call group,
 * the team and the dependencies); override what a test looks at.
 */
export function sampleBrief(overrides: Partial<IncidentBrief> = {}): IncidentBrief {
  const base = storedBrief('INC-20250301-0001');
  return {
    ...base,
    title: 'payment-server-01 hung: CPU 98%, not accepting connections',
    severity: 'sev1',
    escalation: 'page_l1',
    action: 'escalate',
    escalationPackage: {
      ...base.escalationPackage,
      impact: 'Payments time out for all customers',
      ownership: {
        service: 'payments',
        team: 'payments-team',
        onCall: 'S0PAYONCALL',
        dependencies: ['postgres-main'],
      },
    },
    policyNotes: [
      'restart of payment-server-01 refused: the service catalog marks payments as not restartable by the bot; escalating instead',
    ],
    // Evidence with a dashboard link, which PagerDuty carries as a link.
    evidence: [
      {
        id: 'E1',
        source: {
          tool: 'get_server_health',
          subject: 'payment-server-01',
          backend: 'prometheus',
          at: '2025-03-01T09:00:00.000Z',
          link: 'https://grafana.example.com/d/node?var-host=payment-server-01',
        },
        summary: 'payment-server-01: cpu 98%, memory 40%, status critical',
        data: { kind: 'health', cpu: 98, memory: 40, status: 'critical' },
      },
    ],
    ...overrides,
  };
}
