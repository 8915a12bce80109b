import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../src/operator/investigation/investigate.ts';
import { applyProgress, initialProgress } from '../../../src/operator/investigation/progress.ts';
import { briefMessage } from '../../../src/slack/blocks/brief.ts';
import { fullBriefClassic } from '../../../src/slack/blocks/full-brief.ts';
import { progressMessage } from '../../../src/slack/blocks/progress.ts';
import type { ServerSpec } from '../../../src/tools/fleet/format.ts';
import { fleetOf, server } from '../../support/fleet.ts';
import { testRuntime } from '../../support/runtime.ts';

/** 500 healthy web servers: web-001 … web-500. */
function bigFleet() {
  const servers: Record<string, ServerSpec> = {};
  for (let i = 1; i <= 500; i++)
    servers[`web-${String(i).padStart(3, '0')}`] = server({
      health: { cpu: 20, memory: 30, status: 'healthy' },
    });
  return fleetOf(servers);
}

describe('a report naming more servers than one investigation checks', () => {
  it('checks 10 of 500 and says, in the brief and in the progress, that 490 were skipped', async () => {
    const rt = await testRuntime({ fleet: bigFleet() });
    const names = Array.from({ length: 500 }, (_, i) => `web-${String(i + 1).padStart(3, '0')}`);
    const events: ProgressEvent[] = [];
    const { brief } = await rt.operator.investigate(
      { report: `Errors on ${names.join(', ')}`, source: 'cli', actor: 'cli:tester' },
      (e) => events.push(e),
    );
    expect(brief.servers).toHaveLength(10);
    expect(brief.policyNotes).toContain(
      'The report names 500 servers; only the first 10 were checked and 490 were skipped (not investigated, never restarted). Triage the others separately.',
    );
    const scope = events.find((e) => e.stage === 'scope');
    expect(scope).toMatchObject({ stage: 'scope', skipped: 490 });

    const progress = progressMessage(events.reduce(applyProgress, initialProgress));
    expect(JSON.stringify(progress.blocks)).toContain(
      '490 more servers named in the report skipped: one investigation checks 10',
    );
    // The Slack brief says it where the servers are named; the full brief carries the note.
    expect(brief.serversSkipped).toBe(490);
    expect(JSON.stringify(briefMessage(brief, { approvers: [] }).blocks)).toMatch(
      /490 more named, not checked/,
    );
    expect(JSON.stringify(fullBriefClassic(brief, { approvers: [] }).blocks)).toMatch(
      /names 500 servers; only the first 10 were checked and 490 were skipped/,
    );
  });

  it('a report within the cap says nothing about skipping', async () => {
    const rt = await testRuntime({ fleet: bigFleet() });
    const events: ProgressEvent[] = [];
    const { brief } = await rt.operator.investigate(
      { report: 'web-001 and web-002 are slow', source: 'cli', actor: 'cli:tester' },
      (e) => events.push(e),
    );
    expect(brief.policyNotes.join(' ')).not.toMatch(/skipped/);
    expect(events.find((e) => e.stage === 'scope')).not.toHaveProperty('skipped');
  });
});
