import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overview } from '../../../src/operator/presentation/overview.ts';
import type { Runtime } from '../../../src/root/runtime.ts';
import { briefMessage, COMPACT_BRIEF } from '../../../src/slack/blocks/brief.ts';
import { decisionContext, withDecision } from '../../../src/slack/blocks/decision.ts';
import {
  fullBriefClassic,
  fullBriefMarkdown,
  fullBriefMessage,
} from '../../../src/slack/blocks/full-brief.ts';
import { homeView, overviewMessage } from '../../../src/slack/blocks/home.ts';
import { viewProblems } from '../../../src/slack/blocks/schema.ts';
import { sampleBrief } from '../../support/brief.ts';
import { allText, demoRuntime, expectValidMessage, REPORTS, triage } from './support.ts';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await demoRuntime();
});
afterAll(async () => {
  await runtime.close();
});

const APPROVERS = ['U0APPROVER', 'S0ONCALL'];
const json = (blocks: readonly KnownBlock[]) => JSON.stringify(blocks).length;

describe('a brief that fits a screen', () => {
  it('every seed incident: the compact brief within 10 blocks, decided or not; the full brief holds everything', async () => {
    const rows: string[] = [];
    for (const [name, report] of Object.entries(REPORTS)) {
      const { brief, proposal } = await triage(runtime, report);
      const compact = briefMessage(brief, { approvers: APPROVERS });
      expectValidMessage(compact);
      // Room for a decision and for two more lines other renderers add (a resolution, a note).
      expect(compact.blocks.length).toBeLessThanOrEqual(COMPACT_BRIEF.maxBlocks - 2);
      if (proposal) {
        const decided = withDecision(
          compact.blocks,
          decisionContext({ kind: 'restarting', serverId: proposal.serverId, approvedBy: 'U1' }),
        );
        expect(decided.length).toBeLessThanOrEqual(COMPACT_BRIEF.maxBlocks - 2);
      }
      const full = fullBriefMessage(brief, { approvers: APPROVERS });
      const markdown = fullBriefMarkdown(brief);
      for (const f of brief.facts) expect(markdown).toContain(f.evidence.join(', '));
      for (const h of brief.hypotheses) expect(markdown).toContain(h.confidence);
      const table = full.blocks.find((b) => b.type === 'table');
      // A header row and one row per evidence item; no table when nothing was gathered.
      expect(table && 'rows' in table ? table.rows.length : 0).toBe(
        brief.evidence.length ? brief.evidence.length + 1 : 0,
      );
      const classic = fullBriefClassic(brief, { approvers: APPROVERS });
      expect(allText(classic.blocks)).not.toMatch(/not shown/);
      rows.push(
        `${name.padEnd(9)} compact ${String(compact.blocks.length).padStart(2)} blocks ${String(allText(compact.blocks).length).padStart(5)} text ${String(json(compact.blocks)).padStart(5)} json · full (classic) ${String(classic.blocks.length).padStart(2)} blocks ${String(allText(classic.blocks).length).padStart(5)} text ${String(json(classic.blocks)).padStart(5)} json`,
      );
    }
    console.log(`brief sizes on the seed incidents:\n${rows.join('\n')}`);
  });

  it('App Home and /triage list stay within their surfaces’ limits', async () => {
    const data = await overview(runtime.store, { now: new Date(), approver: true });
    const view = homeView(data, { approvers: APPROVERS, now: new Date() });
    expect(viewProblems(view)).toEqual([]);
    expectValidMessage(overviewMessage(data, { approvers: APPROVERS, now: new Date() }));
    const stranger = homeView(
      { ...data, approver: false },
      { approvers: APPROVERS, now: new Date() },
    );
    expect(JSON.stringify(stranger.blocks)).not.toContain('approve_restart');
    expect(allText(stranger.blocks)).toMatch(/Only <@U0APPROVER>, <!subteam\^S0ONCALL> can decide/);
  });

  it('memory, a chronic restart and the runbook each take one context line', () => {
    const brief = {
      ...sampleBrief('INC-0000MEMO'),
      memory: {
        windowDays: 90,
        seenLast30Days: 3,
        seenInWindow: 3,
        similar: [
          {
            incidentId: 'INC-0000PAST',
            at: '2025-02-27T09:00:00.000Z',
            title: 'payment-server-01: hung',
            subjects: ['payment-server-01'],
            signals: ['hung_process'],
            outcome: 'restart_recovered' as const,
            restartedServer: 'payment-server-01',
            minutesToRecovery: 2,
          },
        ],
        chronic: null,
      },
      runbook: {
        url: 'https://runbooks.example.com/payments/hung',
        title: 'Payments API hung',
        service: 'payments',
        signal: 'hung_process',
      },
    };
    const text = allText(briefMessage(brief, { approvers: APPROVERS }).blocks);
    expect(text).toContain(
      '🧠 Seen 3× in the last 30 days on payment-server-01 with the same signature (hung or unresponsive process); last time a restart fixed it in 2 min — INC-0000PAST',
    );
    expect(text).toContain('📘 <https://runbooks.example.com/payments/hung|Payments API hung>');
    const chronic = {
      ...brief,
      memory: {
        ...brief.memory,
        chronic: {
          server: 'payment-server-01',
          signals: ['hung_process'],
          restarts: 3,
          incidents: ['INC-0000PAST'],
        },
      },
    };
    expect(allText(briefMessage(chronic, { approvers: APPROVERS }).blocks)).toMatch(
      /⚠️ payment-server-01 was restarted 3× in 90 days for the same signature .*a restart only buys time/,
    );
  });
});
