import { setTimeout as sleep } from 'node:timers/promises';
import { accounted, postPace, startReplicas, webhookIntake } from './correlated.ts';
import { startFakes } from './fakes.ts';
import type { CeilingFigures, CeilingStep } from './figures.ts';
import type { Progress } from './progress.ts';
import { type Sample, total } from './prometheus.ts';
import type { Replica } from './replica.ts';
import type { Settings } from './settings.ts';
import type { Ack } from './slack.ts';
import { summarize } from './stats.ts';
import {
  alertmanagerBody,
  sendWebhook,
  webhookEnv,
  webhookFleet,
  webhookPlan,
  writeWebhookFleet,
} from './webhook.ts';

/**
 * The ceiling: the correlated storm's alerts (mostly repeats of a few open incidents, as a storm
 * is) posted to POST /alerts/alertmanager on two replicas sharing PostgreSQL, at a rate raised step
 * by step until the ack p99 passes its limit, an alert is not acknowledged, or one acknowledged is
 * not accounted for. The last step that passed is the ceiling.
 */

export const CEILING_LIMITS = {
  ackP99Ms: 100,
  /** Slack's pace for new messages in one channel is kept if no two are closer than this. */
  minPostGapMs: 900,
  /** Requests the generator lets wait for an answer before it counts itself as the bottleneck. */
  maxInFlight: 4_000,
} as const;

/** Sends `rate` alerts a minute for `seconds`, on schedule, round-robin over the replicas. */
async function step(
  replicas: readonly Replica[],
  plan: readonly string[],
  offset: number,
  ratePerMin: number,
  seconds: number,
): Promise<{ acks: Ack[]; sent: number; lagMs: number[]; skipped: number }> {
  const total = Math.round((ratePerMin / 60) * seconds);
  const acks: Ack[] = [];
  const lagMs: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const startsAt = new Date().toISOString();
  const t0 = performance.now();
  const perMs = ratePerMin / 60_000;
  let sent = 0;
  let skipped = 0;
  while (sent + skipped < total) {
    const due = Math.min(total, Math.floor((performance.now() - t0) * perMs) + 1);
    for (; sent + skipped < due; ) {
      const n = offset + sent + skipped;
      if (inFlight.size >= CEILING_LIMITS.maxInFlight) {
        skipped += 1;
        continue;
      }
      const server = plan[n % plan.length] ?? '';
      const replica = replicas[n % replicas.length];
      if (!replica) break;
      lagMs.push(Math.max(0, performance.now() - (t0 + (sent + skipped) / perMs)));
      const p: Promise<void> = sendWebhook(
        replica.baseUrl,
        alertmanagerBody(server, n, startsAt),
      ).then((ack) => {
        acks.push(ack);
        inFlight.delete(p);
      });
      inFlight.add(p);
      sent += 1;
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  return { acks, sent, lagMs, skipped };
}

async function metricsOf(replicas: readonly Replica[]): Promise<Sample[]> {
  return (await Promise.all(replicas.map((r) => r.metrics().catch(() => [])))).flat();
}

export async function runCeiling(options: {
  settings: Settings;
  databaseUrl: string;
  cwd: string;
  progress: Progress;
}): Promise<CeilingFigures> {
  const { settings, progress } = options;
  const fleet = webhookFleet(settings.stormServers);
  const fleetFile = await writeWebhookFleet(options.cwd, fleet);
  const fakes = await startFakes({
    latencyMs: settings.latencyMs,
    fleetFile,
    writeIntervalMs: settings.writeIntervalMs,
  });
  const { slack } = fakes;
  let replicas: Replica[] = [];
  const steps: CeilingStep[] = [];
  let stopReason = 'every step passed';
  try {
    replicas = await startReplicas(
      settings.replicas,
      (i) => `ceiling-${i + 1}`,
      fakes.env({ DATABASE_URL: options.databaseUrl, ...webhookEnv() }),
      options.cwd,
    );
    const plan = webhookPlan(fleet, 10_000, { seed: 11 });
    // Warm up: the storm has begun — one alert per server, each incident investigated (briefed
    // or folded). Its cold start is the correlated storm's to measure; this phase measures the
    // rate the storm can go on at.
    const all = [...fleet.storm, ...fleet.noise.map((n) => n.id)];
    const warmAt = new Date().toISOString();
    await Promise.all(
      all.map((server, i) => {
        const replica = replicas[i % replicas.length];
        return replica
          ? sendWebhook(replica.baseUrl, alertmanagerBody(server, -1 - i, warmAt))
          : null;
      }),
    );
    const warmBy = Date.now() + 60_000;
    for (;;) {
      const samples = await metricsOf(replicas);
      const done = total(samples, 'lzo_investigations_total');
      if (done >= webhookIntake(samples).accepted || Date.now() > warmBy) break;
      await sleep(250);
    }
    progress.say(`ceiling: warmed up, ${all.length} incidents open`);
    let offset = 0;
    for (const ratePerMin of settings.ceilingRates) {
      const before = webhookIntake(await metricsOf(replicas));
      const stepStart = Date.now();
      progress.say(
        `ceiling: ${ratePerMin.toLocaleString('en-US')} alerts/min for ${settings.ceilingStepS} s on ${replicas.length} replicas`,
      );
      const sent = await step(replicas, plan, offset, ratePerMin, settings.ceilingStepS);
      offset += sent.sent + sent.skipped;
      const samples = await metricsOf(replicas);
      const after = webhookIntake(samples);
      const acked = sent.acks.filter((a) => a.status === 202).length;
      const lost = Math.max(0, acked - (accounted(after) - accounted(before)));
      const rss = await Promise.all(replicas.map((r) => r.readPeakRss()));
      const pace = postPace(
        slack.calls.filter((c) => c.method === 'chat.postMessage' && c.at >= stepStart),
      );
      const ackMs = summarize(sent.acks.map((a) => a.ms));
      const failures: string[] = [];
      if ((ackMs.p99 ?? Number.POSITIVE_INFINITY) >= CEILING_LIMITS.ackP99Ms)
        failures.push(`ack p99 ${ackMs.p99} ms ≥ ${CEILING_LIMITS.ackP99Ms} ms`);
      if (sent.sent - acked > 0) failures.push(`${sent.sent - acked} not acked 202`);
      if (lost > 0) failures.push(`${lost} acked but not accounted for`);
      if (sent.skipped > 0)
        failures.push(
          `${sent.skipped} not sent: the generator had ${CEILING_LIMITS.maxInFlight} waiting`,
        );
      const result: CeilingStep = {
        ratePerMin,
        seconds: settings.ceilingStepS,
        sent: sent.sent,
        acked,
        lost,
        ackMs,
        sendLagMs: summarize(sent.lagMs),
        minPostGapMs: pace.minGapMs,
        peakRssBytes: rss.map((r) => r ?? 0),
        rateLimited: total(samples, 'lzo_slack_rate_limited_total'),
        passed: failures.length === 0,
        failures,
      };
      steps.push(result);
      progress.say(
        `ceiling: ${ratePerMin}/min → ack p50 ${ackMs.p50} · p99 ${ackMs.p99} ms, ${acked}/${sent.sent} acked, ${lost} lost${failures.length ? ` — stop: ${failures.join('; ')}` : ''}`,
      );
      if (failures.length) {
        stopReason = failures.join('; ');
        break;
      }
    }
    // Let the investigations the steps opened finish before stopping the replicas.
    await sleep(3_000);
    const finalRss = [];
    for (const r of replicas) finalRss.push((await r.stop()).peakRssBytes ?? 0);
    replicas = [];
    const passed = steps.filter((s) => s.passed);
    const pace = postPace(slack.calls.filter((c) => c.method === 'chat.postMessage'));
    return {
      replicas: settings.replicas,
      steps,
      ceilingPerMin: passed.at(-1)?.ratePerMin ?? null,
      peakRssAtCeilingBytes: passed.at(-1)?.peakRssBytes ?? [],
      stopReason,
      minPostGapMs: pace.minGapMs,
      peakRssBytes: finalRss,
    };
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await fakes.close();
  }
}
