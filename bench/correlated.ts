import { setTimeout as sleep } from 'node:timers/promises';
import type { SlackCall } from '../testing/fake-slack.ts';
import { blocksOf } from '../tests/slack/e2e-support.ts';
import { startFakes } from './fakes.ts';
import type { CorrelatedFigures } from './figures.ts';
import type { Progress } from './progress.ts';
import { byLabel, histogram, histogramFigures, type Sample, total } from './prometheus.ts';
import { BenchError, Replica, stopAndDescribe } from './replica.ts';
import type { Settings } from './settings.ts';
import { type Ack, ESCALATIONS } from './slack.ts';
import { maxInWindow, round, summarize } from './stats.ts';
import {
  alertmanagerBody,
  HOOKS,
  sendWebhook,
  webhookEnv,
  webhookFleet,
  webhookPlan,
  writeWebhookFleet,
} from './webhook.ts';

/**
 * The correlated storm: Alertmanager posts alerts about twenty search servers that all lost one
 * Elasticsearch cluster, with unrelated noise (two hot servers, two healthy ones, a cache and a
 * queue with failures of their own), straight to POST /alerts/alertmanager on two replicas sharing
 * PostgreSQL. What it shows: how soon the storm's one parent brief appears after its first alert,
 * how many new Slack messages the storm costs against its causes and counters, and that no alert
 * is lost.
 */

export type WebhookIntake = CorrelatedFigures['intake'];

export function webhookIntake(samples: readonly Sample[]): WebhookIntake {
  const by = byLabel(samples, 'lzo_intake_total', 'result', { origin: 'webhook' });
  return {
    accepted: by.accepted ?? 0,
    grouped: by.grouped ?? 0,
    duplicate: by.duplicate ?? 0,
    resolved: by.resolved ?? 0,
    unmatched: by.unmatched ?? 0,
  };
}

export function accounted(i: WebhookIntake): number {
  return i.accepted + i.grouped + i.duplicate + i.resolved + i.unmatched;
}

export async function startReplicas(
  count: number,
  name: (i: number) => string,
  env: Record<string, string>,
  cwd: string,
): Promise<Replica[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => Replica.start(name(i), env, cwd)),
  );
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((r) => r.stop()));
    throw failed.reason instanceof Error ? failed.reason : new BenchError(String(failed.reason));
  }
  return ok;
}

const isHeader = (c: SlackCall) => blocksOf(c).some((b) => b.type === 'header');
const textOf = (c: SlackCall) =>
  `${String(c.args.text ?? '')}\n${JSON.stringify(c.args.blocks ?? [])}`;

/** New messages per channel: the most in any second, and the shortest gap between two. */
export function postPace(calls: readonly SlackCall[]): {
  maxPerSecond: number;
  minGapMs: number | null;
} {
  const byChannel = new Map<string, number[]>();
  for (const c of calls) {
    const channel = String(c.args.channel);
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), c.at]);
  }
  let maxPerSecond = 0;
  let minGapMs: number | null = null;
  for (const times of byChannel.values()) {
    maxPerSecond = Math.max(maxPerSecond, maxInWindow(times, 1000).count);
    const sorted = [...times].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      const gap = (sorted[i] ?? 0) - (sorted[i - 1] ?? 0);
      if (minGapMs === null || gap < minGapMs) minGapMs = gap;
    }
  }
  return { maxPerSecond, minGapMs };
}

export async function runCorrelatedStorm(options: {
  settings: Settings;
  databaseUrl: string;
  cwd: string;
  progress: Progress;
}): Promise<CorrelatedFigures> {
  const { settings, progress } = options;
  const label = 'correlated';
  const fleet = webhookFleet(settings.stormServers);
  const fleetFile = await writeWebhookFleet(options.cwd, fleet);
  const fakes = await startFakes({
    latencyMs: settings.latencyMs,
    fleetFile,
    writeIntervalMs: settings.writeIntervalMs,
  });
  const { slack, openai } = fakes;
  let replicas: Replica[] = [];
  try {
    replicas = await startReplicas(
      settings.replicas,
      (i) => `corr-${i + 1}`,
      fakes.env({ DATABASE_URL: options.databaseUrl, ...webhookEnv() }),
      options.cwd,
    );
    progress.say(
      `${label}: ${replicas.length} replicas on PostgreSQL, ports ${replicas.map((r) => r.port).join(', ')}; ${settings.correlatedAlerts} alerts over ${settings.durationS} s about ${fleet.storm.length} servers sharing one dependency, plus noise`,
    );

    const plan = webhookPlan(fleet, settings.correlatedAlerts);
    const intervalMs = (settings.durationS * 1000) / plan.length;
    const firstSent = new Map<string, number>();
    const acks: Ack[] = [];
    const lags: number[] = [];
    const inFlight: Promise<void>[] = [];
    const stormStart = Date.now();
    const startsAt = new Date(stormStart).toISOString();
    const t0 = performance.now() + 200;
    for (const [i, server] of plan.entries()) {
      const due = t0 + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      lags.push(Math.max(0, performance.now() - due));
      const replica = replicas[i % replicas.length];
      if (!replica) continue;
      if (!firstSent.has(server)) firstSent.set(server, Date.now());
      inFlight.push(
        sendWebhook(replica.baseUrl, alertmanagerBody(server, i, startsAt)).then((ack) => {
          acks.push(ack);
        }),
      );
    }
    await Promise.all(inFlight);
    const lastSentAt = Date.now();
    const acked = acks.filter((a) => a.status === 202).length;
    progress.say(
      `${label}: ${plan.length} alerts sent, ${acked} acked 202; waiting for the briefs`,
    );

    // Drain: every acked alert counted, every incident answered (a brief, or folded).
    const hookBriefs = () =>
      slack
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === HOOKS && !c.args.thread_ts && isHeader(c));
    const deadline = lastSentAt + settings.drainTimeoutS * 1000;
    let samples: Sample[] = [];
    let drained = false;
    for (;;) {
      samples = (await Promise.all(replicas.map((r) => r.metrics().catch(() => [])))).flat();
      const intake = webhookIntake(samples);
      const answered = hookBriefs().length + total(samples, 'lzo_storm_folds_total');
      if (accounted(intake) >= acked && answered >= intake.accepted) {
        drained = true;
        break;
      }
      if (Date.now() >= deadline) break;
      await sleep(500);
    }
    // The counters and summary edits queued behind the briefs go out at the channel's pace: wait
    // until Slack has been quiet for 3 s (at most 30 s) before counting messages.
    const quietBy = Date.now() + 30_000;
    while (Date.now() < quietBy && Date.now() - (slack.calls.at(-1)?.at ?? 0) < 3_000)
      await sleep(250);
    const stopped = await stopAndDescribe(replicas);
    samples = stopped.samples;
    const replicaFigures = stopped.figures;
    replicas = [];

    const intake = webhookIntake(samples);
    const folded = total(samples, 'lzo_storm_folds_total');
    const briefs = hookBriefs();
    const atIntake = Math.max(0, acked - accounted(intake));
    const withoutAnswer = Math.max(0, intake.accepted - briefs.length - folded);
    const details: string[] = [];
    if (atIntake)
      details.push(
        `${atIntake} acked alert(s) not counted by any replica's intake: ${JSON.stringify(intake)}`,
      );
    if (withoutAnswer)
      details.push(
        `${intake.accepted} incidents opened, ${briefs.length} briefs and ${folded} folds: ${withoutAnswer} got no answer`,
      );

    // First alert → the brief that answers it, per cause: the storm's parent brief names one of
    // the storm servers; each noise server's brief names it.
    const briefAt = (ids: readonly string[]) =>
      briefs.find((b) => ids.some((id) => textOf(b).includes(id)))?.at ?? null;
    const firstOf = (ids: readonly string[]) =>
      Math.min(...ids.map((id) => firstSent.get(id) ?? Number.POSITIVE_INFINITY));
    const stormBriefAt = briefAt(fleet.storm);
    const stormFirst = firstOf(fleet.storm);
    const perCause = [
      stormBriefAt === null ? null : stormBriefAt - stormFirst,
      ...fleet.noise.map((n) => {
        const at = briefAt([n.id]);
        const first = firstSent.get(n.id);
        return at === null || first === undefined ? null : at - first;
      }),
    ];
    const stormParents = briefs.filter((b) => fleet.storm.some((id) => textOf(b).includes(id)));
    // Per storm server (each its own incident, folded or the parent): from its first alert to the
    // parent brief that answers it (0 when the parent brief was already there).
    const perStormServer = fleet.storm.flatMap((id) => {
      const first = firstSent.get(id);
      return stormBriefAt === null || first === undefined
        ? []
        : [Math.max(0, stormBriefAt - first)];
    });

    const during = slack.calls.filter((c) => c.at >= stormStart);
    const posts = during.filter((c) => c.method === 'chat.postMessage');
    const hookPosts = posts.filter((c) => c.args.channel === HOOKS);
    const counters = hookPosts.filter((c) =>
      /more alerts? like this one/.test(String(c.args.text)),
    );
    const summaries = during.filter(
      (c) => c.method === 'chat.update' && /servers report/.test(textOf(c)),
    );
    const byMethod: Record<string, number> = {};
    for (const c of during) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
    const pace = postPace(posts);
    return {
      replicas: settings.replicas,
      stormServers: fleet.storm.length,
      noiseServers: fleet.noise.length,
      alertsSent: plan.length,
      alertsAcked: acked,
      alertsNotAcked: plan.length - acked,
      ackMs: summarize(acks.map((a) => a.ms)),
      sendLagMs: summarize(lags),
      intake,
      lost: { total: atIntake + withoutAnswer, atIntake, withoutBrief: withoutAnswer, details },
      incidents: intake.accepted,
      folded,
      causes: fleet.causes,
      stormParentBriefs: stormParents.length,
      escalations: total(samples, 'lzo_escalations_total', { sent: 'true' }),
      firstAlertToParentBriefMs: summarize(perStormServer),
      firstAlertToBriefPerCauseMs: summarize(perCause.filter((v): v is number => v !== null)),
      stormFirstAlertToParentBriefMs:
        stormBriefAt === null ? null : round(Math.max(0, stormBriefAt - stormFirst)),
      stormSummaryEdits: summaries.length,
      slack: {
        newMessages: hookPosts.length,
        counters: counters.length,
        limit: fleet.causes + counters.length,
        escalationMessages: posts.filter((c) => c.args.channel === ESCALATIONS).length,
        maxPostsPerChannelPerSecond: pace.maxPerSecond,
        minPostGapMs: pace.minGapMs,
        rateLimited: total(samples, 'lzo_slack_rate_limited_total'),
        byMethod,
      },
      drainTimedOut: !drained,
      botOverheadMs: histogramFigures(histogram(samples, 'lzo_bot_overhead_seconds'), 1000),
      modelMaxInFlight: openai.maxInFlight,
      replicaFigures,
    };
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await fakes.close();
  }
}
