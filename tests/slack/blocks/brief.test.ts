import type {
  ActionsBlock,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  SectionBlock,
} from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentBrief } from '../../../src/domain/brief.ts';
import type { Runtime } from '../../../src/root/runtime.ts';
import { briefMessage } from '../../../src/slack/blocks/brief.ts';
import { fullBriefClassic, fullBriefMarkdown } from '../../../src/slack/blocks/full-brief.ts';
import { ACTION_IDS } from '../../../src/slack/blocks/ids.ts';
import { sampleBrief } from '../../support/brief.ts';
import {
  allText,
  blocksOfType,
  demoRuntime,
  expectValidMessage,
  REPORTS,
  triage,
} from './support.ts';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await demoRuntime();
});
afterAll(async () => {
  await runtime.close();
});

const APPROVERS = ['U0APPROVER', 'S0ONCALL'];

/** Every button's action id, in order. */
function buttonIds(blocks: readonly KnownBlock[]): string[] {
  return blocksOfType(blocks, 'actions').flatMap((a) =>
    a.elements.flatMap((e) => ('action_id' in e && e.action_id ? [e.action_id] : [])),
  );
}

describe('briefMessage on the seed incidents', () => {
  it('proposes the payment-server-01 restart with approve and deny buttons carrying the proposal id', async () => {
    const { brief, proposal } = await triage(runtime, REPORTS.payment);
    expect(proposal).not.toBeNull();
    const message = briefMessage(brief, { approvers: APPROVERS });
    expectValidMessage(message);

    const [actions, nav, ...others] = blocksOfType(message.blocks, 'actions');
    expect(others).toEqual([]);
    expect(actions?.block_id).toBe(`lzo_restart_actions.${proposal?.id}`);
    // Anyone may open the whole brief: its own row, so a decision never takes it away.
    expect(nav?.elements).toEqual([
      expect.objectContaining({ action_id: ACTION_IDS.openBrief, value: brief.incidentId }),
    ]);
    const [approve, deny] = (actions as ActionsBlock).elements;
    expect(approve).toMatchObject({
      type: 'button',
      action_id: ACTION_IDS.approve,
      style: 'primary',
      value: proposal?.id,
      text: { text: 'Approve restart' },
      confirm: {
        title: { text: 'Restart payment-server-01?' },
        confirm: { text: 'Restart' },
        deny: { text: 'Cancel' },
      },
    });
    expect(approve && 'confirm' in approve ? approve.confirm?.text.text : '').toMatch(
      /restarts the service on payment-server-01 \(prod\), re-checks its health, and escalates/,
    );
    expect(deny).toMatchObject({
      type: 'button',
      action_id: ACTION_IDS.deny,
      style: 'danger',
      value: proposal?.id,
      text: { text: 'Deny' },
    });

    const text = allText(message.blocks);
    expect(text).toContain('Only <@U0APPROVER>, <!subteam^S0ONCALL> can approve');
    expect(text).toMatch(/expires <!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+>/);
    expect(text).toContain('restart (needs approval)');
    expect(message.text).toBe(
      'SEV2 · payment-server-01: CPU saturation, hung process — restart needs approval (hold)',
    );
  });

  it('escalates search-index-09 without any buttons, with a one-line notification text', async () => {
    const { brief } = await triage(runtime, REPORTS.search);
    const message = briefMessage(brief, { approvers: APPROVERS });
    expectValidMessage(message);
    expect(buttonIds(message.blocks)).toEqual([ACTION_IDS.openBrief]);
    expect(message.text).toBe(
      'SEV1 · search-index-09: dependency unreachable — escalate (page_l1)',
    );
    expect(message.text).not.toContain('\n');
  });

  it('the compact brief: header, decision fields, summary and three facts, the buttons, a footer', async () => {
    const { brief } = await triage(runtime, REPORTS.search);
    const message = briefMessage(brief, { approvers: APPROVERS });
    const types = message.blocks.map((b) => b.type);
    expect(types.slice(0, 3)).toEqual(['header', 'section', 'section']);
    expect(types.slice(-2)).toEqual(['actions', 'context']);
    // At most one line between them: memory (this store has seen the report before) or runbook.
    expect(types.length).toBeLessThanOrEqual(6);
    const header = message.blocks[0] as HeaderBlock;
    expect(header.text.text).toBe('🔴 SEV1 · search-index-09: dependency unreachable');

    const fields = (message.blocks[1] as SectionBlock).fields?.map((f) => f.text) ?? [];
    expect(fields).toEqual([
      '*Category*\navailability',
      '*Severity*\nSEV1 — major customer impact',
      '*Escalation*\npage_l1',
      '*Server*\nsearch-index-09',
      '*Environment*\nprod',
      '*Action*\nescalate',
    ]);
    const summary = allText([message.blocks[2] as SectionBlock]);
    expect(summary).toContain('*Key facts*');
    // The three strongest facts: what was found comes before what was not.
    const facts = summary.split('\n').filter((l) => l.startsWith('• '));
    expect(facts).toHaveLength(Math.min(3, brief.facts.length));
    expect(facts.join('\n')).toMatch(/dependency failure/);
    // A fact that says nothing was found never comes before one that says something was.
    const weak = facts.findIndex((f) => /no recorded changes|no error signature/.test(f));
    if (weak !== -1)
      expect(facts.slice(weak).every((f) => /no recorded|no error/.test(f))).toBe(true);
    if (brief.facts.length > 3) expect(summary).toMatch(/_\+\d+ more in the full brief_/);

    const footerText = allText([message.blocks.at(-1) as ContextBlock]);
    expect(footerText).toMatch(
      /Planned by rules planner · 0 model turns · \d+ tool calls · 0 tokens · \d+ ms/,
    );
    expect(footerText).toContain(`incident ${brief.incidentId}`);
    expect(footerText).toContain('the full brief is in the thread');
  });

  it('the full brief keeps the terminal renderer’s order and everything the brief holds', async () => {
    const { brief } = await triage(runtime, REPORTS.search);
    const message = fullBriefClassic(brief, { approvers: APPROVERS });
    expectValidMessage(message);
    // Not a header block: the thread copy is not the incident's message.
    expect(blocksOfType(message.blocks, 'header')).toEqual([]);
    const text = allText(message.blocks);
    const order = [
      'What we know',
      'Suspected causes (hypotheses)',
      'Safe checks',
      'Next actions',
      'Documentation checklist',
      'Escalation package',
      '*Impact:*',
      '*Timeline:*',
      '*Ownership:*',
      '*Actions taken:*',
      '*Evidence*',
    ].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    expect(text).toContain('[E2]');
    expect(text).toMatch(/\(medium confidence\)/);
    expect(text).toMatch(/✅ Impact/);
    expect(text).toMatch(/⬜ Owning team and current on-call/);
    expect(text).toMatch(
      /\*E1\* get_server_health\(search-index-09\) via simulated at <!date\^\d+\^\{time\}\|\d\d:\d\d UTC> — search-index-09: cpu 10%/,
    );
    expect(text).toContain('elastic-cluster-main:9200');
    // The escalation was sent, so it is an action taken (from the audit log).
    expect(text).toMatch(/Escalated to local record/);
    for (const f of brief.facts) expect(text).toContain(f.text.slice(0, 60));
    for (const c of brief.safeChecks) expect(text).toContain(c.slice(0, 40).replace(/&/g, '&amp;'));
    for (const e of brief.evidence) expect(text).toContain(`*${e.id}*`);
  });

  it('every seed report renders within the schema', async () => {
    for (const report of Object.values(REPORTS)) {
      const { brief } = await triage(runtime, report);
      expectValidMessage(briefMessage(brief, { approvers: APPROVERS }));
      expectValidMessage(briefMessage(brief, { approvers: [] }));
    }
  });

  it('says plainly when the report names no known server', async () => {
    const { brief } = await triage(runtime, REPORTS.unknown);
    const message = briefMessage(brief, { approvers: APPROVERS });
    expectValidMessage(message);
    const text = allText(message.blocks);
    expect(text).toContain('no server named "zebra-server-77"; known: ');
    expect(allText(fullBriefClassic(brief, { approvers: APPROVERS }).blocks)).toContain(
      'payment-server-01',
    );
    expect(text).toContain('*Servers*\nnone');
    expect(text).toContain('*Action*\nmonitor');
    expect(buttonIds(message.blocks)).toEqual([ACTION_IDS.openBrief]);
  });
});

describe('briefMessage options', () => {
  const restartBrief = (): IncidentBrief => ({
    ...sampleBrief('INC-0000AAAA'),
    restart: {
      serverId: 'payment-server-01',
      proposalId: 'prop-1',
      expiresAt: '2025-03-01T09:30:00.000Z',
    },
  });

  it('tells how to configure APPROVERS when there are none', () => {
    const message = briefMessage(restartBrief(), { approvers: [] });
    expectValidMessage(message);
    expect(allText(message.blocks)).toContain(
      'No approvers configured — nobody can approve. Set APPROVERS in .env to Slack user IDs (U…) or user-group IDs (S…) and restart the bot.',
    );
    expect(allText(message.blocks)).toContain(
      '<!date^1740821400^{date_short_pretty} {time}|2025-03-01 09:30 UTC>',
    );
  });

  it('shows no buttons once the proposal is decided, and says its state', () => {
    const message = briefMessage(restartBrief(), { approvers: APPROVERS, proposalState: 'denied' });
    expectValidMessage(message);
    expect(buttonIds(message.blocks)).toEqual([ACTION_IDS.openBrief]);
    expect(allText(message.blocks)).toContain('*Action*\nrestart (denied)');
    expect(allText(message.blocks)).not.toContain('can approve');
  });

  it('shows no buttons for a restart action without a proposal', () => {
    const message = briefMessage(sampleBrief('INC-0000AAAB'), { approvers: APPROVERS });
    expect(buttonIds(message.blocks)).toEqual([ACTION_IDS.openBrief]);
  });

  it('links the incident thread and mentions the on-call user group', () => {
    const brief = restartBrief();
    brief.escalationPackage.ownership.onCall = 'S0123';
    brief.escalationPackage.ownership.team = 'payments-team';
    const options = {
      approvers: APPROVERS,
      threadLink: 'https://example.slack.com/archives/C1/p123',
    };
    const message = briefMessage(brief, options);
    expectValidMessage(message);
    expect(allText(message.blocks)).toContain(
      '<https://example.slack.com/archives/C1/p123|View incident thread>',
    );
    const text = allText(fullBriefClassic(brief, options).blocks);
    expect(text).toContain('on-call <!subteam^S0123>');
    expect(text).toContain('team payments-team');
  });

  it('names the planner that decided, and why the model did not', () => {
    const brief = restartBrief();
    brief.planner = {
      ...brief.planner,
      model: 'gpt-4o-mini',
      fallbackReason: 'timed out after 20000 ms <oops>',
      turns: 2,
      toolCalls: 3,
      tokens: { prompt: 100, completion: 20 },
    };
    const text = allText(briefMessage(brief, { approvers: APPROVERS }).blocks);
    expect(text).toContain(
      'Planned by rules planner (fallback from gpt-4o-mini: timed out after 20000 ms &lt;oops&gt;) · 2 model turns · 3 tool calls · 120 tokens',
    );
    brief.planner = { ...brief.planner, planner: 'openai', fallbackReason: null };
    expect(allText(briefMessage(brief, { approvers: APPROVERS }).blocks)).toContain(
      'Planned by openai planner (gpt-4o-mini)',
    );
  });
});

describe('escaping', () => {
  it('renders report, log and model text inert: no broadcasts, mentions or disguised links', () => {
    const evil = 'disk full <!channel> <https://evil|click> & <@U999> <!subteam^S1>';
    const brief: IncidentBrief = {
      ...sampleBrief('INC-0000EEEE'),
      title: 'Title <!here>',
      summary: `Summary ${evil}`,
      facts: [{ text: evil, evidence: ['E1'] }],
      hypotheses: [{ text: evil, confidence: 'low' }],
      safeChecks: [evil],
      nextActions: [evil],
      policyNotes: [evil],
    };
    brief.escalationPackage.impact = evil;
    brief.escalationPackage.timeline = [{ at: brief.createdAt, event: evil }];
    brief.escalationPackage.ownership.dependencies = ['<!everyone>'];
    const e1 = brief.evidence[0];
    if (e1) brief.evidence = [{ ...e1, summary: evil }];
    const message = briefMessage(brief, { approvers: APPROVERS });
    expectValidMessage(message);
    const full = fullBriefClassic(brief, { approvers: APPROVERS });
    expectValidMessage(full);
    for (const text of [allText(message.blocks), allText(full.blocks)]) {
      expect(text).toContain(
        '&lt;!channel&gt; &lt;https:\u200B//evil|click&gt; &amp; &lt;@U999&gt; &lt;!subteam^S1&gt;',
      );
      for (const raw of ['<!channel>', '<https://evil', '<@U999>', '<!subteam^S1>', '<!everyone>'])
        expect(text).not.toContain(raw);
    }
    expect(message.text).not.toContain('<!here>');
    expect(message.text).toContain('&lt;!here&gt;');
    // The markdown copy escapes the same text its own way: no tag, link or emphasis survives.
    const markdown = fullBriefMarkdown(brief);
    for (const raw of [/(?<!\\)<!channel/, /(?<!\\)<https/, /(?<!\\)<@U999/, /(?<!\\)<!everyone/])
      expect(markdown).not.toMatch(raw);
    expect(markdown).not.toContain('](https://evil');
    expect(markdown).toContain('\\<!channel\\> \\<https://evil\\|click\\> \\& \\<@U999\\>');
  });

  it('a bare URL from evidence or a model never reaches mrkdwn as something Slack auto-links', () => {
    const brief = sampleBrief('INC-0000EEF0');
    const e1 = brief.evidence[0];
    if (!e1) throw new Error('sample brief has evidence');
    const urls =
      'failed to reach https://evil.example/login?next=x and www.evil.example, mailto:ops@evil.example';
    brief.evidence = [{ ...e1, summary: urls }];
    brief.facts = [{ text: urls, evidence: ['E1'] }];
    const text = allText(briefMessage(brief, { approvers: APPROVERS }).blocks);
    for (const bare of ['https://evil', 'www.evil', 'mailto:ops']) expect(text).not.toContain(bare);
    // It still reads the same.
    expect(text.replaceAll('\u200B', '')).toContain(urls);
  });

  it('does not turn an evidence link into a way out of its <url|label> token', () => {
    const brief = sampleBrief('INC-0000EEEF');
    const e1 = brief.evidence[0];
    if (!e1) throw new Error('sample brief has evidence');
    brief.evidence = [
      { ...e1, source: { ...e1.source, link: 'https://grafana.example/d?q=a|b>c <!channel>' } },
    ];
    const text = allText(fullBriefClassic(brief, { approvers: APPROVERS }).blocks);
    expect(text).toContain('<https://grafana.example/d?q=a%7Cb%3Ec%20%3C!channel%3E|open>');
  });
});
