import type { ActionsBlock, ContextBlock, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { IncidentBrief } from '../../../src/domain/brief.ts';
import { briefMessage, COMPACT_BRIEF } from '../../../src/slack/blocks/brief.ts';
import { decisionContext, withDecision } from '../../../src/slack/blocks/decision.ts';
import { escalationMessage } from '../../../src/slack/blocks/escalation.ts';
import {
  fullBriefClassic,
  fullBriefMessage,
  fullBriefModal,
  VIEW_LIMITS,
} from '../../../src/slack/blocks/full-brief.ts';
import { ACTION_IDS } from '../../../src/slack/blocks/ids.ts';
import { MESSAGE_BUDGET, SLACK_LIMITS } from '../../../src/slack/blocks/limits.ts';
import { viewProblems } from '../../../src/slack/blocks/schema.ts';
import { sampleBrief } from '../../support/brief.ts';
import { allText, blocksOfType, expectValidMessage, hugeBrief } from './support.ts';

const INCIDENT = 'INC-00B16B16';

function restartable(brief: IncidentBrief): IncidentBrief {
  return {
    ...brief,
    action: 'restart',
    restart: {
      serverId: 'payment-server-01',
      proposalId: 'prop-huge',
      expiresAt: '2025-03-01T09:30:00.000Z',
    },
  };
}

/** Slack's documented limits, checked directly rather than through the schema. */
function expectWithinSlackLimits(blocks: readonly KnownBlock[]) {
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(MESSAGE_BUDGET.blocksJsonChars);
  for (const block of blocks) {
    if (block.type === 'header')
      expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (block.type === 'section') {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(block.fields?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
      for (const f of block.fields ?? [])
        expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFieldText);
    }
    if (block.type === 'context')
      expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
  }
}

describe('a brief far beyond Slack’s limits', () => {
  const brief = restartable(hugeBrief(sampleBrief(INCIDENT)));
  const message = briefMessage(brief, { approvers: ['U0APPROVER'] });
  const full = fullBriefClassic(brief, { approvers: ['U0APPROVER'] });

  it('the compact brief stays within every limit, and within 10 blocks', () => {
    expectWithinSlackLimits(message.blocks);
    expectValidMessage(message);
    expect(message.blocks.length).toBeLessThanOrEqual(COMPACT_BRIEF.maxBlocks - 2);
    expect(message.text.length).toBeLessThanOrEqual(MESSAGE_BUDGET.fallbackTextChars);
  });

  it('cuts the 400-character title to 150 with …', () => {
    const header = message.blocks[0];
    expect(header?.type).toBe('header');
    const text = header?.type === 'header' ? header.text.text : '';
    expect(text).toHaveLength(SLACK_LIMITS.headerText);
    expect(text.endsWith('…')).toBe(true);
  });

  it('the full brief says visibly what it left out and where the rest is', () => {
    expectWithinSlackLimits(full.blocks);
    expectValidMessage(full);
    const text = allText(full.blocks);
    expect(text).toMatch(
      new RegExp(
        `… \\d+ more facts not shown; the full brief is in the incident record ${INCIDENT}`,
      ),
    );
    // Dropped first: the evidence list.
    expect(text).toMatch(/Not shown to fit Slack's message limits: evidence \(100\)/);
    expect(text).not.toContain('*Evidence*');
    // Long lines are cut, not sent whole.
    expect(text).not.toContain('x'.repeat(MESSAGE_BUDGET.itemChars + 1));
  });

  it('the markdown-and-table copy stays within the message budget too', () => {
    const modern = fullBriefMessage(brief, { approvers: ['U0APPROVER'] });
    expect(JSON.stringify(modern.blocks).length).toBeLessThanOrEqual(
      MESSAGE_BUDGET.blocksJsonChars,
    );
    expectValidMessage({ text: modern.text, blocks: modern.blocks });
    expect(modern.classic).toEqual(full.blocks);
    expect(allText(modern.blocks)).toMatch(/more evidence items are in the incident record/);
  });

  it('the modal stays within a view’s limits and keeps the buttons', () => {
    const view = fullBriefModal(brief, { approvers: ['U0APPROVER'] });
    expect(viewProblems(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(VIEW_LIMITS.blocks);
    const actions = blocksOfType(view.blocks, 'actions') as ActionsBlock[];
    expect(actions[0]?.elements.map((e) => ('action_id' in e ? e.action_id : null))).toEqual([
      ACTION_IDS.approve,
      ACTION_IDS.deny,
    ]);
  });

  it('keeps the header, the decision fields and the buttons', () => {
    expect(message.blocks[0]?.type).toBe('header');
    expect(message.blocks[1]).toMatchObject({ type: 'section', fields: expect.any(Array) });
    const actions = blocksOfType(message.blocks, 'actions') as ActionsBlock[];
    expect(actions).toHaveLength(2);
    expect(actions[0]?.elements.map((e) => ('action_id' in e ? e.action_id : null))).toEqual([
      ACTION_IDS.approve,
      ACTION_IDS.deny,
    ]);
    const footer = message.blocks.at(-1) as ContextBlock;
    expect(allText([footer])).toContain(`incident ${INCIDENT}`);
  });

  it('leaves room for the decision blocks that replace the buttons', () => {
    const decided = withDecision(
      message.blocks,
      decisionContext({
        kind: 'restarting',
        serverId: 'payment-server-01',
        approvedBy: 'U0APPROVER',
      }),
    );
    expectWithinSlackLimits(decided);
    expectValidMessage({ text: message.text, blocks: decided });
    expect(decided.length).toBeLessThanOrEqual(COMPACT_BRIEF.maxBlocks);
  });

  it('drops lower-priority sections of the full brief in order: evidence, checklist, timeline', () => {
    // Fewer long facts: dropping evidence alone may be enough, and facts are shown up to their cap.
    const modest = restartable({
      ...sampleBrief(INCIDENT),
      evidence: brief.evidence,
      documentationChecklist: brief.documentationChecklist,
      escalationPackage: {
        ...sampleBrief(INCIDENT).escalationPackage,
        timeline: brief.escalationPackage.timeline,
      },
    });
    const text = allText(fullBriefClassic(modest, { approvers: [] }).blocks);
    const notShown = text.match(/Not shown to fit Slack's message limits: ([^.]*)\./)?.[1] ?? '';
    const dropped = notShown.split(', ').map((d) => d.replace(/ \(\d+\)$/, ''));
    expect(dropped[0]).toBe('evidence');
    expect(['evidence', 'documentation checklist', 'timeline'].slice(0, dropped.length)).toEqual(
      dropped,
    );
  });

  it('does not cut or drop anything from an ordinary brief', () => {
    const text = allText(fullBriefClassic(sampleBrief(INCIDENT), { approvers: [] }).blocks);
    expect(text).not.toMatch(/not shown/);
  });
});

describe('the escalation message of a huge brief', () => {
  it('stays within every limit, keeps the reason and says what it cut', () => {
    const message = escalationMessage(hugeBrief(sampleBrief(INCIDENT)), {
      reason: 'restart denied',
      threadLink: 'https://example.slack.com/archives/C1/p1',
    });
    expectWithinSlackLimits(message.blocks);
    expectValidMessage(message);
    const text = allText(message.blocks);
    expect(text).toContain('*Reason:* restart denied');
    expect(text).toContain('View incident thread');
    expect(text).toMatch(/more facts not shown; the full brief is in the incident record/);
  });
});
