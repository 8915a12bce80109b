import type { HeaderBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { escalationMessage } from '../../../src/slack/blocks/escalation.ts';
import { allText, demoRuntime, expectValidMessage, REPORTS, triage } from './support.ts';

describe('escalationMessage', () => {
  it('carries the level, the reason and the five parts of the minimum package', async () => {
    const runtime = await demoRuntime();
    const { brief } = await triage(runtime, REPORTS.search);
    await runtime.close();
    brief.escalationPackage.ownership = {
      ...brief.escalationPackage.ownership,
      team: 'search-team',
      onCall: 'S0123',
    };

    const message = escalationMessage(brief, {
      reason: 'dependency failure: restart will not help <!channel>',
      threadLink: 'https://example.slack.com/archives/C1/p1700000000000100',
    });
    expectValidMessage(message);
    expect((message.blocks[0] as HeaderBlock).text.text).toBe(
      'Escalation: search-index-09: dependency unreachable',
    );
    const text = allText(message.blocks);
    const parts = [
      '*Escalation*\npage_l1',
      '*Reason:* dependency failure: restart will not help &lt;!channel&gt;',
      '*Impact:* search-index-09 (search) in prod',
      '*Timeline*',
      '*Evidence*',
      '[E2]',
      '*Ownership*',
      '*On-call:* <!subteam^S0123>',
      '*Team:* search-team',
      '*Dependencies:* elastic-cluster-main:9200',
      '*Actions taken:*',
      '<https://example.slack.com/archives/C1/p1700000000000100|View incident thread>',
    ];
    for (const part of parts) expect(text).toContain(part);
    expect(text).not.toContain('<!channel>');
    expect(message.text).toBe(
      'Escalation (page_l1) · SEV1 · search-index-09: dependency unreachable — dependency failure: restart will not help &lt;!channel&gt;',
    );
  });

  it('has no thread link when none is known, and says who is on call is unknown', async () => {
    const runtime = await demoRuntime();
    const { brief } = await triage(runtime, REPORTS.search);
    await runtime.close();
    const text = allText(escalationMessage(brief, { reason: 'x' }).blocks);
    expect(text).not.toContain('View incident thread');
    expect(text).toContain('*On-call:* unknown');
  });
});
