import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../src/operator/investigation/investigate.ts';
import {
  applyProgress,
  initialProgress,
  type ProgressState,
} from '../../../src/operator/investigation/progress.ts';
import { progressMessage } from '../../../src/slack/blocks/progress.ts';
import { allText, demoRuntime, expectValidMessage, REPORTS, triage } from './support.ts';

const fold = (events: readonly ProgressEvent[], from: ProgressState = initialProgress) =>
  events.reduce(applyProgress, from);

describe('progressMessage', () => {
  it('says only that it is investigating before the scope is known', () => {
    const message = progressMessage(initialProgress);
    expectValidMessage(message);
    expect(message.text).toBe('🔎 Investigating…');
    expect(allText(message.blocks)).toBe('🔎 Investigating…');
  });

  it('follows a real investigation of payment-server-01 step by step', async () => {
    const runtime = await demoRuntime();
    const { events, brief } = await triage(runtime, REPORTS.payment);
    await runtime.close();

    const scoped = fold(events.slice(0, 2));
    expect(allText(progressMessage(scoped).blocks)).toBe(
      '🔎 Investigating payment-server-01…\n• payment-server-01: health … · logs …\n' +
        `incident ${brief.incidentId}`,
    );

    const done = fold(events);
    const message = progressMessage(done);
    expectValidMessage(message);
    expect(message.text).toBe('🔎 Investigating payment-server-01…');
    expect(allText(message.blocks)).toBe(
      [
        '🔎 Investigating payment-server-01…',
        '• payment-server-01: health ✓ · logs ✓',
        '• changes: payments ✓',
        '🧠 reasoning (rules planner)…',
        '📝 decided: restart — writing the brief…',
        `incident ${brief.incidentId}`,
      ].join('\n'),
    );
  });

  it('shows failed reads, the model failing over, and escapes the reason', () => {
    const state = fold([
      { stage: 'scope', servers: ['a-01'], unknown: [] },
      { stage: 'evidence', tool: 'get_server_health', subject: 'a-01', ok: false },
      { stage: 'reasoning', planner: 'openai' },
      { stage: 'fallback', reason: '401 <!channel> bad key' },
    ]);
    const text = allText(progressMessage(state).blocks);
    expect(text).toContain('• a-01: health ✗ · logs …');
    expect(text).toContain('🧠 reasoning (openai planner)…');
    expect(text).toContain(
      '⚠️ model failed (401 &lt;!channel&gt; bad key); rules planner takes over',
    );
    expect(text).not.toContain('<!channel>');
  });

  it('says when the report names no known server', () => {
    const state = fold([{ stage: 'scope', servers: [], unknown: ['zebra-server-77'] }]);
    expect(progressMessage(state).text).toBe(
      '🔎 No known server named in the report (unknown: zebra-server-77)',
    );
  });

  it('stays within limits for a scope of many servers', () => {
    const servers = Array.from({ length: 25 }, (_, i) => `srv-${i}-${'x'.repeat(100)}`);
    const state = fold([
      { stage: 'scope', servers, unknown: [] },
      ...servers.map(
        (s): ProgressEvent => ({
          stage: 'evidence',
          tool: 'get_server_health',
          subject: s,
          ok: true,
        }),
      ),
    ]);
    const message = progressMessage(state);
    expectValidMessage(message);
    expect(allText(message.blocks)).toContain('• … and 15 more servers');
  });
});
