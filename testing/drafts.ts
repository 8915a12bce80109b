import type { PlannerDraft } from '../src/domain/brief.ts';

/** Valid planner drafts a scripted or fake model answers with; override what a test looks at. */

export function restartDraft(overrides: Partial<PlannerDraft> = {}): PlannerDraft {
  return {
    title: 'payment-server-01: CPU saturation, hung process',
    summary: 'CPU at 98% and a hung process on payment-server-01; a restart is proposed.',
    category: 'performance',
    severity: 'sev2',
    action: 'restart',
    restartServer: 'payment-server-01',
    facts: [
      { text: 'payment-server-01 reports cpu 98%, status warning', evidence: ['E1'] },
      { text: 'logs show a hung process not accepting connections', evidence: ['E2'] },
    ],
    hypotheses: [{ text: 'Thread pool exhaustion under load', confidence: 'medium' }],
    safeChecks: ['Check the thread pool metrics dashboard'],
    nextActions: ['Approve or deny the proposed restart'],
    impact: 'Payments are slow and timing out for customers.',
    ...overrides,
  };
}

export function escalateDraft(overrides: Partial<PlannerDraft> = {}): PlannerDraft {
  return {
    title: 'search-index-09: search engine unreachable',
    summary: 'search-index-09 cannot reach elastic-cluster-main:9200; escalating.',
    category: 'availability',
    severity: 'sev2',
    action: 'escalate',
    restartServer: null,
    facts: [{ text: 'Connection refused: elastic-cluster-main:9200', evidence: ['E2'] }],
    hypotheses: [{ text: 'The search cluster is down', confidence: 'high' }],
    safeChecks: ['Check elastic-cluster-main health'],
    nextActions: ['Engage the search team'],
    impact: 'Search is failing for users.',
    ...overrides,
  };
}
