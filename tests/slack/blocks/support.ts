import type { KnownBlock } from '@slack/types';
import { expect } from 'vitest';
import { parseConfig } from '../../../src/config/env.ts';
import type { IncidentBrief } from '../../../src/domain/brief.ts';
import type { ProgressEvent } from '../../../src/operator/investigation/investigate.ts';
import { createRuntime, type Runtime } from '../../../src/root/runtime.ts';
import { messageProblems } from '../../../src/slack/blocks/schema.ts';
import { SqliteStore } from '../../../src/store/sqlite/index.ts';

export const REPORTS = {
  payment: 'The payment-server-01 is extremely slow and timing out.',
  db: 'Something is wrong with db-node-02',
  auth: 'Users are reporting login failures on auth-service-03.',
  search: "Search isn't working. Can you check search-index-09?",
  frontend: 'Check frontend-node-04 just to be safe.',
  unknown: 'Please check zebra-server-77, it is down',
} as const;

/** The real operator on the built-in demo fleet, in memory, where everyone may approve. */
export async function demoRuntime(): Promise<Runtime> {
  return createRuntime(parseConfig({ LOG_LEVEL: 'silent' }), {
    store: SqliteStore.open(':memory:'),
    approvers: { isApprover: async () => true, describe: () => 'Everyone may approve.' },
  });
}

export async function triage(runtime: Runtime, report: string) {
  const events: ProgressEvent[] = [];
  const investigation = await runtime.operator.investigate(
    { report, source: 'slack', actor: 'U1' },
    (e) => events.push(e),
  );
  return { ...investigation, events };
}

/** Valid against the schema of emitted blocks, and unchanged by a JSON round trip. */
export function expectValidMessage(message: { text: string; blocks: KnownBlock[] }): void {
  expect(messageProblems(message)).toEqual([]);
  expect(JSON.parse(JSON.stringify(message))).toEqual(message);
}

/** Every text a reader sees, mrkdwn or plain, concatenated: what "the message says". */
export function allText(blocks: readonly KnownBlock[]): string {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'text' && typeof v === 'string') out.push(v);
        else walk(v);
      }
    }
  };
  walk(blocks);
  return out.join('\n');
}

export function blocksOfType<T extends KnownBlock['type']>(
  blocks: readonly KnownBlock[],
  type: T,
): Extract<KnownBlock, { type: T }>[] {
  return blocks.filter((b): b is Extract<KnownBlock, { type: T }> => b.type === type);
}

/** A brief far beyond anything Slack takes: hundreds of long facts, log lines and entries. */
export function hugeBrief(base: IncidentBrief): IncidentBrief {
  const longLine = (i: number) => `[ERROR] line ${i} ${'x'.repeat(5000)}`;
  const at = base.createdAt;
  return {
    ...base,
    title: `T${'itle '.repeat(80)}`.slice(0, 400),
    summary: `Summary ${'s'.repeat(6000)}`,
    facts: Array.from({ length: 200 }, (_, i) => ({ text: longLine(i), evidence: ['E1', 'E2'] })),
    hypotheses: Array.from({ length: 50 }, (_, i) => ({
      text: longLine(i),
      confidence: 'low' as const,
    })),
    safeChecks: Array.from({ length: 50 }, (_, i) => longLine(i)),
    nextActions: Array.from({ length: 50 }, (_, i) => longLine(i)),
    documentationChecklist: Array.from({ length: 40 }, (_, i) => ({
      item: longLine(i),
      status: i % 2 ? ('captured' as const) : ('missing' as const),
    })),
    escalationPackage: {
      ...base.escalationPackage,
      impact: longLine(0),
      evidence: Array.from({ length: 200 }, (_, i) => ({ text: longLine(i), evidence: ['E1'] })),
      timeline: Array.from({ length: 100 }, (_, i) => ({ at, event: longLine(i) })),
      actionsTaken: Array.from({ length: 30 }, (_, i) => ({
        at,
        actor: 'U0APPROVER',
        action: longLine(i),
      })),
      ownership: {
        ...base.escalationPackage.ownership,
        dependencies: Array.from({ length: 60 }, (_, i) => `dep-${i}.example:${9000 + i}`),
      },
    },
    policyNotes: Array.from({ length: 30 }, (_, i) => longLine(i)),
    evidence: Array.from({ length: 100 }, (_, i) => ({
      id: `E${i + 1}`,
      source: {
        tool: 'fetch_recent_logs' as const,
        subject: 'payment-server-01',
        backend: 'simulated',
        at,
        link: 'https://logs.example/q?x=1',
      },
      summary: longLine(i),
      data: { kind: 'logs' as const, lines: [longLine(i)], truncated: false },
    })),
  };
}
