import type { ActionsBlock, ContextBlock, HeaderBlock, SectionBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentBrief } from '../../../src/domain/brief.ts';
import type { Runtime } from '../../../src/root/runtime.ts';
import { briefMessage } from '../../../src/slack/blocks/brief.ts';
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

describe('briefMessage on the seed incidents', () => {
  it('proposes the payment-server-01 restart with approve and deny buttons carrying the proposal id', async () => {
    const { brief, proposal } = await triage(runtime, REPORTS.payment);
    expect(proposal).not.toBeNull();
    const message = briefMessage(brief, { approvers: APPROVERS });
    expectValidMessage(message);

    const [actions, ...others] = blocksOfType(message.blocks, 'actions');
    expect(others).toEqual([]);
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
    expect(blocksOfType(message.blocks, 'actions')).toEqual([]);
    expect(message.text).toBe(
      'SEV1 · search-index-09: dependency unreachable — escalate (page_l1)',
    );
    expect(message.text).not.toContain('\n');
  });

  it('renders the brief in the terminal renderer’s order, with header, decision fields and footer', async () => {
    const { brief } = await triage(runtime, REPORTS.search);
    const message = briefMessage(brief, { approvers: APPROVERS });
    const header = message.blocks[0] as HeaderBlock;
    expect(header.type).toBe('header');
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

    const footer = message.blocks.at(-1) as ContextBlock;
    expect(footer.type).toBe('context');
    const footerText = allText([footer]);
    expect(footerText).toMatch(
      /Planned by rules planner · 0 model turns · \d+ tool calls · 0 tokens · \d+ ms/,
    );
    expect(footerText).toContain(`incident ${brief.incidentId}`);
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
    expect(text).toContain('payment-server-01');
    expect(text).toContain('*Servers*\nnone');
    expect(text).toContain('*Action*\nmonitor');
    expect(blocksOfType(message.blocks, 'actions')).toEqual([]);
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
    expect(blocksOfType(message.blocks, 'actions')).toEqual([]);
    expect(allText(message.blocks)).toContain('*Action*\nrestart (denied)');
    expect(allText(message.blocks)).not.toContain('can approve');
  });

  it('shows no buttons for a restart action without a proposal', () => {
    const message = briefMessage(sampleBrief('INC-0000AAAB'), { approvers: APPROVERS });
    expect(blocksOfType(message.blocks, 'actions')).toEqual([]);
  });

  it('links the incident thread and mentions the on-call user group', () => {
    const brief = restartBrief();
    brief.escalationPackage.ownership.onCall = 'S0123';
    brief.escalationPackage.ownership.team = 'payments-team';
    const message = briefMessage(brief, {
      approvers: APPROVERS,
      threadLink: 'https://example.slack.com/archives/C1/p123',
    });
    expectValidMessage(message);
    const text = allText(message.blocks);
    expect(text).toContain('on-call <!subteam^S0123>');
    expect(text).toContain('team payments-team');
    expect(text).toContain('<https://example.slack.com/archives/C1/p123|View incident thread>');
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
    const text = allText(message.blocks);
    expect(text).toContain(
      '&lt;!channel&gt; &lt;https:\u200B//evil|click&gt; &amp; &lt;@U999&gt; &lt;!subteam^S1&gt;',
    );
    for (const raw of ['<!channel>', '<https://evil', '<@U999>', '<!subteam^S1>', '<!everyone>'])
      expect(text).not.toContain(raw);
    expect(message.text).not.toContain('<!here>');
    expect(message.text).toContain('&lt;!here&gt;');
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
    const text = allText(briefMessage(brief, { approvers: APPROVERS }).blocks);
    expect(text).toContain('<https://grafana.example/d?q=a%7Cb%3Ec%20%3C!channel%3E|open>');
  });
});
