import type { IncidentBrief } from '../../src/domain/brief.ts';

/** A complete, valid incident brief for escalator tests; override what a test looks at. */
export function sampleBrief(overrides: Partial<IncidentBrief> = {}): IncidentBrief {
  return {
    incidentId: 'INC-20250301-0001',
    createdAt: '2025-03-01T09:00:00.000Z',
    title: 'payment-server-01 hung: CPU 98%, not accepting connections',
    summary: 'payment-server-01 is saturated and its process is hung.',
    report: 'The payment-server-01 is extremely slow and timing out.',
    environment: 'prod',
    servers: ['payment-server-01'],
    category: 'performance',
    severity: 'sev1',
    escalation: 'page_l1',
    action: 'escalate',
    restart: null,
    facts: [{ text: 'CPU at 98%', evidence: ['E1'] }],
    hypotheses: [{ text: 'thread pool exhaustion', confidence: 'medium' }],
    safeChecks: ['Check the thread dump'],
    nextActions: ['Page the payments on-call'],
    documentationChecklist: [{ item: 'Impact', status: 'captured' }],
    escalationPackage: {
      impact: 'Payments time out for all customers',
      timeline: [{ at: '2025-03-01T09:00:00.000Z', event: 'First signal: reported via cli' }],
      evidence: [{ text: 'CPU at 98%', evidence: ['E1'] }],
      ownership: {
        service: 'payments',
        team: 'payments-team',
        onCall: 'S0PAYONCALL',
        dependencies: ['postgres-main'],
      },
      actionsTaken: [],
    },
    policyNotes: [
      'restart of payment-server-01 refused: the service catalog marks payments as not restartable by the bot; escalating instead',
    ],
    planner: {
      planner: 'rules',
      model: null,
      fallbackReason: null,
      turns: 0,
      toolCalls: 0,
      tokens: { prompt: 0, completion: 0 },
      durationMs: 3,
      modelMs: 0,
      toolMs: 0,
    },
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
