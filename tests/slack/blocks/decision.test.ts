import type { KnownBlock } from '@slack/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncidentBrief } from '../../../src/domain/brief.ts';
import type { Proposal } from '../../../src/domain/proposal.ts';
import type { EscalationResult } from '../../../src/operator/approval/escalate.ts';
import type { Runtime } from '../../../src/root/runtime.ts';
import { briefMessage } from '../../../src/slack/blocks/brief.ts';
import {
  type DecisionView,
  decisionContext,
  decisionHeadline,
  decisionThreadMessage,
  replacesButtons,
  withDecision,
} from '../../../src/slack/blocks/decision.ts';
import { fullBriefClassic, fullBriefModal } from '../../../src/slack/blocks/full-brief.ts';
import { BLOCK_IDS } from '../../../src/slack/blocks/ids.ts';
import {
  allText,
  blocksOfType,
  demoRuntime,
  expectValidMessage,
  REPORTS,
  triage,
} from './support.ts';

// A fresh fleet and store per test: a restart changes the fleet and uses the server's budget.
let runtime: Runtime;
beforeEach(async () => {
  runtime = await demoRuntime();
});
afterEach(async () => {
  await runtime.close();
});

const APPROVER = 'U0APPROVER';
const DATE = /<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+>/.source;

async function pendingRestart(report: string = REPORTS.payment) {
  const { brief, proposal } = await triage(runtime, report);
  if (!proposal) throw new Error(`no proposal for ${report}`);
  return { brief, proposal };
}

function decided(p: Proposal, patch: Partial<Proposal>): Proposal {
  return { ...p, decidedBy: APPROVER, decidedAt: '2025-03-01T09:05:00.000Z', ...patch };
}

const sent = (brief: IncidentBrief): EscalationResult => ({
  sent: true,
  receipt: { target: 'C0ESCALATE', ref: '123.456' },
  brief,
});

function expectValidDecision(view: DecisionView) {
  const blocks = decisionContext(view);
  expect(blocks.length).toBeLessThanOrEqual(2);
  expectValidMessage({ text: 'x', blocks });
  expectValidMessage(decisionThreadMessage(view));
  return allText(blocks);
}

describe('decisionContext for each outcome', () => {
  it('approved and recovered (a real approval of payment-server-01)', async () => {
    const { proposal } = await pendingRestart();
    const outcome = await runtime.approvals.approve(proposal.id, APPROVER);
    expect(outcome.kind).toBe('restarted');
    const text = expectValidDecision(outcome);
    expect(text).toMatch(
      new RegExp(
        `^✅ Approved by <@${APPROVER}> at ${DATE} — restarted payment-server-01; cpu 98% → 31%, memory 40% → 38%, healthy$`,
      ),
    );
    const thread = decisionThreadMessage(outcome);
    expect(allText(thread.blocks)).toContain('*After*\ncpu 31%, memory 38%, healthy');
    expect(thread.text).toContain('✅ Approved by');
  });

  it('denied (a real denial, escalated)', async () => {
    const { proposal } = await pendingRestart(REPORTS.auth);
    const outcome = await runtime.approvals.deny(proposal.id, APPROVER);
    expect(outcome.kind).toBe('denied');
    const text = expectValidDecision(outcome);
    expect(text).toMatch(
      new RegExp(
        `^❌ Denied by <@${APPROVER}> at ${DATE} — nothing was restarted; escalated to local record`,
      ),
    );
  });

  it('restarted but not recovered, escalated', async () => {
    const { brief, proposal } = await pendingRestart();
    const before = { cpu: 97, memory: 40, status: 'warning' as const };
    const after = { cpu: 96, memory: 41, status: 'warning' as const };
    const text = expectValidDecision({
      kind: 'restarted',
      proposal: decided(proposal, { state: 'not_recovered', before, after }),
      recovered: false,
      before,
      after,
      brief,
      escalation: sent(brief),
    });
    expect(text).toMatch(
      new RegExp(
        `^⚠️ Approved by <@${APPROVER}> at ${DATE} — restarted payment-server-01 but it did NOT recover \\(cpu 97% → 96%, memory 40% → 41%, warning\\) — escalated to <#C0ESCALATE>$`,
      ),
    );
  });

  it('restart failed, and an escalation that could not be sent is said so', async () => {
    const { brief, proposal } = await pendingRestart();
    const text = expectValidDecision({
      kind: 'restart_failed',
      proposal: decided(proposal, { state: 'failed' }),
      error: 'webhook answered 500 <html>',
      brief,
      escalation: { sent: false, reason: 'escalation refused: the package lacks impact', brief },
    });
    expect(text).toContain(
      '❗ Restart of payment-server-01 failed: webhook answered 500 &lt;html&gt;',
    );
    expect(text).toContain('escalation NOT sent: escalation refused: the package lacks impact');
    expect(text).not.toContain('escalated to');
  });

  it('in progress, before the outcome is known', () => {
    const text = expectValidDecision({
      kind: 'restarting',
      serverId: 'payment-server-01',
      approvedBy: APPROVER,
      proposalId: 'p1',
    });
    expect(text).toBe(`⏳ Restarting payment-server-01… approved by <@${APPROVER}>`);
    expect(
      decisionContext({ kind: 'restarting', serverId: 's', approvedBy: 'U1', proposalId: 'p1' })[0]
        ?.block_id,
    ).toBe(`${BLOCK_IDS.restartDecision}.p1`);
  });

  it('expired: nothing restarted; escalated only when the caller says it was', async () => {
    const { brief, proposal } = await pendingRestart();
    const expired = { ...proposal, state: 'expired' as const };
    const quiet = expectValidDecision({ kind: 'expired', proposal: expired, message: 'expired' });
    expect(quiet).toMatch(
      new RegExp(`^⌛ Expired at ${DATE} — nobody decided; nothing was restarted$`),
    );
    const escalated = expectValidDecision({
      kind: 'expired',
      proposal: expired,
      message: 'expired',
      escalation: sent(brief),
    });
    expect(escalated).toMatch(/nothing was restarted; escalated to <#C0ESCALATE>$/);
  });

  it('a late click shows the recorded state and keeps the message as it is', async () => {
    const { proposal } = await pendingRestart();
    const view: DecisionView = {
      kind: 'already_decided',
      proposal: decided(proposal, { state: 'denied' }),
      message: 'The restart proposal for payment-server-01 was already denied.',
    };
    expect(expectValidDecision(view)).toMatch(/^❌ Denied by <@U0APPROVER> at/);
    expect(replacesButtons(view)).toBe(false);
  });

  it('refused and unknown clicks are answered to the clicker, not in place of the buttons', () => {
    const refused: DecisionView = {
      kind: 'refused',
      message: 'You are not allowed to approve restarts. Approvers: <@U1>.',
    };
    expect(decisionHeadline(refused)).toBe(
      '🚫 You are not allowed to approve restarts. Approvers: &lt;@U1&gt;.',
    );
    expect(replacesButtons(refused)).toBe(false);
    const unknown: DecisionView = { kind: 'unknown', message: 'This restart proposal is unknown.' };
    expectValidDecision(unknown);
    expect(replacesButtons(unknown)).toBe(false);
    expect(replacesButtons({ kind: 'restarting', serverId: 's', approvedBy: 'U1' })).toBe(true);
  });
});

describe('withDecision', () => {
  const controls = (blocks: readonly KnownBlock[]) =>
    blocks.filter(
      (b) =>
        b.block_id?.startsWith(BLOCK_IDS.restartActions) ||
        b.block_id?.startsWith(BLOCK_IDS.restartApprovers),
    );

  it('swaps the buttons and approvers line for the decision, keeping everything else in place', async () => {
    const { brief, proposal } = await pendingRestart();
    const message = briefMessage(brief, { approvers: [APPROVER] });
    expect(controls(message.blocks)).toHaveLength(2);
    const decision = decisionContext({
      kind: 'restarting',
      serverId: proposal.serverId,
      approvedBy: APPROVER,
      proposalId: proposal.id,
    });
    const updated = withDecision(message.blocks, decision);
    expectValidMessage({ text: message.text, blocks: updated });
    // Only the "Full brief" row is left: the decision took the buttons' place.
    expect(blocksOfType(updated, 'actions').map((b) => b.block_id)).toEqual([
      `${BLOCK_IDS.briefNav}.${brief.incidentId}`,
    ]);
    expect(controls(updated)).toEqual([]);
    expect(updated).toHaveLength(message.blocks.length - 1);
    const at = message.blocks.findIndex((b) => b.type === 'actions');
    expect(updated[at]).toEqual(decision[0]);
    expect(updated.filter((b) => b !== decision[0])).toEqual(
      message.blocks.filter((b) => controls([b]).length === 0),
    );

    // A second decision (the final outcome) replaces the first.
    const outcome = await runtime.approvals.approve(proposal.id, APPROVER);
    const final = withDecision(updated, decisionContext(outcome));
    expect(final).toHaveLength(updated.length);
    expect(allText(final)).toContain('✅ Approved by');
    expect(allText(final)).not.toContain('⏳ Restarting');
  });

  it('puts the decision where the buttons were when the brief is re-rendered for a decided proposal', async () => {
    const { proposal } = await pendingRestart();
    const outcome = await runtime.approvals.deny(proposal.id, APPROVER);
    if (outcome.kind !== 'denied') throw new Error(outcome.kind);
    const rerendered = briefMessage(outcome.brief, {
      approvers: [APPROVER],
      proposalState: outcome.proposal.state,
    });
    const updated = withDecision(rerendered.blocks, decisionContext(outcome));
    expectValidMessage({ text: rerendered.text, blocks: updated });
    const nav = updated.findIndex((b) => b.block_id?.startsWith(BLOCK_IDS.briefNav));
    expect(allText([updated[nav - 1] as KnownBlock])).toMatch(/^❌ Denied by/);
    expect(allText(updated)).toContain('*Action*\nrestart (denied)');
    // The refreshed full brief lists the denial and the escalation among actions taken.
    expect(allText(fullBriefClassic(outcome.brief, { approvers: [APPROVER] }).blocks)).toMatch(
      /Restart of payment-server-01 denied by U0APPROVER/,
    );
    // A modal (with its divider) takes the decision before the divider.
    const modal = withDecision(
      fullBriefModal(outcome.brief, { approvers: [APPROVER], proposalState: 'denied' }).blocks,
      decisionContext(outcome),
    );
    const divider = modal.findIndex((b) => b.type === 'divider');
    expect(allText([modal[divider - 1] as KnownBlock])).toMatch(/^❌ Denied by/);
  });
});
