import { describe, expect, it } from 'vitest';
import { postPace } from '../../bench/correlated.ts';
import type { CeilingFigures } from '../../bench/figures.ts';
import { buildTargets } from '../../bench/report.ts';
import { alertmanagerBody, webhookFleet, webhookPlan } from '../../bench/webhook.ts';
import { AlertmanagerPayload, prometheusAlerts } from '../../src/operator/intake/webhooks.ts';

describe('the webhook phases of the bench', () => {
  it('sends Alertmanager payloads the intake reads as one alert about one server, each its own', () => {
    const a = AlertmanagerPayload.parse(
      JSON.parse(alertmanagerBody('search-03', 1, '2025-03-01T09:00:00Z')),
    );
    const b = AlertmanagerPayload.parse(
      JSON.parse(alertmanagerBody('search-03', 2, '2025-03-01T09:00:00Z')),
    );
    const [alert] = prometheusAlerts('alertmanager', a);
    expect(alert?.alert?.subject).toBe('search-03');
    expect(alert?.dedupeKeys).not.toEqual(prometheusAlerts('alertmanager', b)[0]?.dedupeKeys);
  });

  it('plans every server once first, then mostly the storm', () => {
    const fleet = webhookFleet(20);
    const plan = webhookPlan(fleet, 1000);
    const all = [...fleet.storm, ...fleet.noise.map((n) => n.id)];
    expect(new Set(plan.slice(0, all.length))).toEqual(new Set(all));
    const storm = plan.filter((s) => fleet.storm.includes(s)).length;
    expect(storm / plan.length).toBeGreaterThan(0.85);
    expect(webhookPlan(fleet, 1000)).toEqual(plan);
  });

  it('measures the pace per channel', () => {
    const call = (channel: string, at: number) => ({
      method: 'chat.postMessage',
      args: { channel },
      at,
    });
    expect(postPace([call('C1', 0), call('C2', 10), call('C1', 1_000), call('C1', 1_900)])).toEqual(
      {
        maxPerSecond: 2,
        minGapMs: 900,
      },
    );
  });

  it('the ceiling target passes only from 30,000 alerts a minute, and RSS and pace are checked', () => {
    const ceiling = (rate: number | null, rss: number, gap: number): CeilingFigures => ({
      replicas: 2,
      steps: [],
      ceilingPerMin: rate,
      stopReason: 'x',
      minPostGapMs: gap,
      peakRssBytes: [rss * 2, rss],
      peakRssAtCeilingBytes: [rss, rss / 2],
    });
    const verdicts = (k: CeilingFigures) =>
      Object.fromEntries(
        buildTargets(null, { postgres: null, embedded: null }, { correlated: null, ceiling: k })
          .filter((t) => ['ceiling', 'peak RSS per replica', "Slack's pace kept"].includes(t.name))
          .map((t) => [t.name, t.pass]),
      );
    expect(verdicts(ceiling(30_000, 200 * 1024 * 1024, 950))).toEqual({
      ceiling: true,
      'peak RSS per replica': true,
      "Slack's pace kept": true,
    });
    expect(verdicts(ceiling(20_000, 260 * 1024 * 1024, 53))).toEqual({
      ceiling: false,
      'peak RSS per replica': false,
      "Slack's pace kept": false,
    });
    expect(verdicts(ceiling(null, 1, 1_000)).ceiling).toBe(false);
  });
});
