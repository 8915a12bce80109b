import { describe, expect, it } from 'vitest';
import type { IncidentBrief } from '../../../src/domain/brief.ts';
import { briefMessage } from '../../../src/slack/blocks/brief.ts';
import { duration, stateBlocks, stateLines } from '../../../src/slack/blocks/state.ts';
import { sampleBrief } from '../../support/brief.ts';

const at = (hhmm: string) => `2025-03-01T${hhmm}:00.000Z`;

describe('the state line', () => {
  it('says nothing for a plain open incident', () => {
    expect(stateBlocks(sampleBrief('INC-1'))).toEqual([]);
  });

  it('"✅ Resolved at 10:42 after 14 min — restarted by @x at 10:31"', () => {
    const brief: IncidentBrief = {
      ...sampleBrief('INC-1', at('10:28')),
      state: 'resolved',
      resolution: {
        at: at('10:42'),
        via: 'alertmanager',
        reason: 'the alert resolved',
        afterMs: 14 * 60_000,
        restart: { serverId: 'payment-server-01', by: 'U0APPROVER', at: at('10:31') },
      },
    };
    expect(stateLines(brief)).toEqual([
      '✅ Resolved at <!date^1740825720^{time}|10:42 UTC> after 14 min — restarted payment-server-01 by <@U0APPROVER> at <!date^1740825060^{time}|10:31 UTC>',
    ]);
    // Right under the header of the brief, whatever else the brief shows.
    const blocks = briefMessage(brief, { approvers: [] }).blocks;
    expect(blocks[0]?.type).toBe('header');
    expect(JSON.stringify(blocks[1])).toContain('✅ Resolved at');
  });

  it('summarises a storm on its parent and points a folded incident at it', () => {
    const parent: IncidentBrief = {
      ...sampleBrief('INC-P'),
      servers: ['search-01'],
      links: ['search-02', 'search-03'].map((s, i) => ({
        incidentId: `INC-${i}`,
        relation: 'folded_from' as const,
        reason: 'connection refused to elastic-cluster-main:9200',
        at: at('10:00'),
        servers: [s],
      })),
    };
    expect(stateLines(parent)[0]).toMatch(
      /^🌩️ 3 servers report connection refused to elastic-cluster-main:9200 — escalating the dependency, not restarting 3 servers \(3 incidents/,
    );
    const child: IncidentBrief = {
      ...sampleBrief('INC-0'),
      links: [
        {
          ...(parent.links?.[0] as NonNullable<IncidentBrief['links']>[number]),
          incidentId: 'INC-P',
          relation: 'folded_into',
        },
      ],
    };
    expect(stateLines(child)).toEqual([
      '🔗 Part of INC-P: connection refused to elastic-cluster-main:9200. That incident escalates for all of them.',
    ]);
  });

  it('names the servers the scope skipped and the ones that are only context', () => {
    const brief: IncidentBrief = {
      ...sampleBrief('INC-1'),
      scopeNotes: { skipped: ['n-11', 'n-12'], context: ['db-node-02'] },
    };
    expect(stateLines(brief)).toEqual([
      '⏭️ Not investigated (over the limit of servers per incident): n-11, n-12',
      "📎 Context only (named in the alert's description, never restarted): db-node-02",
    ]);
  });

  it('writes durations the way people say them', () => {
    expect([40_000, 14 * 60_000, 125 * 60_000, 120 * 60_000].map(duration)).toEqual([
      '40 s',
      '14 min',
      '2 h 5 min',
      '2 h',
    ]);
  });
});
