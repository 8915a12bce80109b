import type { AuditEntry } from '../../src/domain/audit.ts';
import type { Assessment, IncidentBrief } from '../../src/domain/brief.ts';
import type { IncidentSource } from '../../src/domain/incident.ts';
import {
  type AssessmentInput,
  assess,
  deriveBrief,
} from '../../src/operator/presentation/brief.ts';

/** A complete, valid brief for tests that store or send one without running an investigation. */
export function sampleBrief(incidentId: string, at = '2025-03-01T09:00:00.000Z'): IncidentBrief {
  return {
    incidentId,
    createdAt: at,
    title: 'payment-server-01: CPU saturation, hung process',
    summary: 'CPU saturation on payment-server-01.',
    report: 'The payment-server-01 is extremely slow and timing out.',
    environment: 'prod',
    servers: ['payment-server-01'],
    category: 'performance',
    severity: 'sev2',
    escalation: 'hold',
    action: 'restart',
    restart: null,
    facts: [{ text: 'payment-server-01 reports cpu 98%', evidence: ['E1'] }],
    hypotheses: [{ text: 'CPU saturation', confidence: 'medium' }],
    safeChecks: ['ps aux --sort=-%cpu | head'],
    nextActions: ['Approve or deny the restart'],
    documentationChecklist: [{ item: 'Impact', status: 'captured' }],
    escalationPackage: {
      impact: 'payments slow',
      timeline: [{ at, event: 'First signal: reported via cli' }],
      evidence: [{ text: 'payment-server-01 reports cpu 98%', evidence: ['E1'] }],
      ownership: { service: 'payments', team: null, onCall: null, dependencies: [] },
      actionsTaken: [],
    },
    policyNotes: [],
    planner: {
      planner: 'rules',
      model: null,
      fallbackReason: null,
      turns: 0,
      toolCalls: 0,
      tokens: { prompt: 0, completion: 0 },
      durationMs: 1,
      modelMs: 0,
      toolMs: 0,
    },
    evidence: [
      {
        id: 'E1',
        source: {
          tool: 'get_server_health',
          subject: 'payment-server-01',
          backend: 'simulated',
          at,
        },
        summary: 'payment-server-01: cpu 98%, memory 40%, status warning',
        data: { kind: 'health', cpu: 98, memory: 40, status: 'warning' },
      },
    ],
  };
}

/** The investigation part of sampleBrief, as the store keeps it. */
export function sampleAssessment(at = '2025-03-01T09:00:00.000Z'): Assessment {
  const {
    incidentId: _id,
    createdAt: _at,
    report: _report,
    restart: _restart,
    escalationPackage,
    ...rest
  } = sampleBrief('INC-1', at);
  return {
    ...rest,
    impact: escalationPackage.impact,
    ownership: escalationPackage.ownership,
    changes: [],
    signals: [],
  };
}

/** The brief an investigation with these inputs would show, with `audit` folded in. */
export function briefFrom(
  input: AssessmentInput & { incidentId: string; audit?: readonly AuditEntry[] },
): IncidentBrief {
  const incident = {
    id: input.incidentId,
    createdAt: input.createdAt,
    source: input.source as IncidentSource,
    report: input.report,
  };
  return deriveBrief(incident, assess(input), input.audit ?? []);
}
