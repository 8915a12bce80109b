import { setTimeout as sleep } from 'node:timers/promises';
import type { SlackCall } from '../testing/fake-slack.ts';
import { startFakes } from './fakes.ts';
import type { StormFigures } from './figures.ts';
import { alertTextFor, type BenchServer } from './fleet.ts';
import type { Progress } from './progress.ts';
import { byLabel, histogram, histogramFigures, type Sample, total } from './prometheus.ts';
import { BenchError, Replica, stopAndDescribe } from './replica.ts';
import type { Settings } from './settings.ts';
import { type Ack, ALERT_BOT, ALERTS, chatWrites, sendEvent } from './slack.ts';
import { maxInWindow, round, summarize } from './stats.ts';

/**
 * The alert storm: alerts posted by an alerting integration into one alert channel, spread evenly
 * over the duration by the wall clock (never waiting for one ack before sending the next), handed
 * round-robin to the replicas as a load balancer would. Then it waits for every brief.
 */

export type StormStore =
  | { kind: 'postgres'; databaseUrl: string }
  | { kind: 'embedded'; dataDir: string };

/** A small deterministic PRNG, so every run names the servers in the same order. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Which server each alert names: every server once (shuffled), then at random. */
export function alertPlan(servers: readonly BenchServer[], alerts: number, seed = 42): string[] {
  const random = mulberry32(seed);
  const ids = servers.map((s) => s.id);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const [a, b] = [ids[i], ids[j]];
    if (a !== undefined && b !== undefined) [ids[i], ids[j]] = [b, a];
  }
  return Array.from({ length: alerts }, (_, i) =>
    i < ids.length ? (ids[i] ?? '') : (ids[Math.floor(random() * ids.length)] ?? ''),
  );
}

type IntakeCounts = StormFigures['intake'];

function callsByMethod(calls: readonly SlackCall[], since: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) if (c.at >= since) out[c.method] = (out[c.method] ?? 0) + 1;
  return out;
}

function intakeCounts(samples: readonly Sample[]): IntakeCounts {
  const by = byLabel(samples, 'lzo_intake_total', 'result', { origin: 'alert' });
  return {
    accepted: by.accepted ?? 0,
    grouped: by.grouped ?? 0,
    duplicate: by.duplicate ?? 0,
    ignored: by.ignored ?? 0,
  };
}

async function startReplicas(
  count: number,
  names: (i: number) => string,
  env: (i: number) => Record<string, string>,
  cwd: string,
): Promise<Replica[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => Replica.start(names(i), env(i), cwd)),
  );
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((r) => r.stop()));
    throw failed.reason instanceof Error ? failed.reason : new BenchError(String(failed.reason));
  }
  return ok;
}

export async function runStorm(options: {
  settings: Settings;
  store: StormStore;
  replicas: number;
  servers: readonly BenchServer[];
  fleetFile: string;
  cwd: string;
  progress: Progress;
}): Promise<StormFigures> {
  const { settings, store, progress } = options;
  const label = store.kind === 'postgres' ? 'storm/postgres' : 'storm/embedded';
  const fakes = await startFakes({
    latencyMs: settings.latencyMs,
    fleetFile: options.fleetFile,
    writeIntervalMs: settings.writeIntervalMs,
  });
  const { slack, openai, ledger } = fakes;
  let replicas: Replica[] = [];
  try {
    replicas = await startReplicas(
      options.replicas,
      (i) => (store.kind === 'postgres' ? `pg-${i + 1}` : 'embedded'),
      () =>
        fakes.env(
          store.kind === 'postgres'
            ? { DATABASE_URL: store.databaseUrl }
            : { DATA_DIR: store.dataDir },
        ),
      options.cwd,
    );
    progress.say(
      `${label}: ${replicas.length} replica(s) on ports ${replicas.map((r) => r.port).join(', ')}`,
    );

    const plan = alertPlan(options.servers, settings.alerts);
    const intervalMs = (settings.durationS * 1000) / settings.alerts;
    const alertTs = (i: number) => `1700002000.${String(i).padStart(6, '0')}`;
    const sentAt = new Map<string, { at: number; server: string }>();
    const acks: Ack[] = [];
    const ackedBy = new Map<string, number>();
    const lags: number[] = [];
    const inFlight: Promise<void>[] = [];
    const stormStart = Date.now();
    const t0 = performance.now() + 200;
    let nextReport = 10_000;
    let lastSentAt = stormStart;
    for (const [i, server] of plan.entries()) {
      const due = t0 + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      lags.push(Math.max(0, performance.now() - due));
      const replica = replicas[i % replicas.length];
      if (!replica) continue;
      const ts = alertTs(i);
      lastSentAt = Date.now();
      sentAt.set(ts, { at: lastSentAt, server });
      const event = {
        type: 'message',
        subtype: 'bot_message',
        channel: ALERTS,
        bot_id: ALERT_BOT,
        username: 'Alertmanager',
        text: alertTextFor(server, i),
        ts,
      };
      inFlight.push(
        sendEvent(replica.eventsUrl, event, `EvStorm${i}`).then((ack) => {
          acks.push(ack);
          if (ack.status === 200) ackedBy.set(replica.name, (ackedBy.get(replica.name) ?? 0) + 1);
        }),
      );
      if (lastSentAt - stormStart >= nextReport) {
        nextReport += 10_000;
        progress.say(`${label}: ${i + 1}/${plan.length} alerts sent, ${acks.length} answered`);
      }
    }
    await Promise.all(inFlight);
    const acked = acks.filter((a) => a.status === 200).length;
    progress.say(
      `${label}: all ${plan.length} alerts sent, ${acked} acked; waiting for the briefs (at most ${settings.drainTimeoutS} s)`,
    );

    // Drain: until every acked alert is counted and every opened incident has its answer: its
    // brief, or — folded into a storm's parent — the one short reply pointing there.
    const alertBriefs = () => ledger.briefs().filter((b) => b.channel === ALERTS && b.threadTs);
    const pointers = () => ledger.pointers(ALERTS);
    const drainDeadline = lastSentAt + settings.drainTimeoutS * 1000;
    let samples: Sample[] = [];
    let drained = false;
    for (;;) {
      samples = (await Promise.all(replicas.map((r) => r.metrics().catch(() => [])))).flat();
      const counts = intakeCounts(samples);
      const accounted = counts.accepted + counts.grouped + counts.duplicate + counts.ignored;
      if (accounted >= acked && alertBriefs().length + pointers().length >= counts.accepted) {
        drained = true;
        break;
      }
      if (Date.now() >= drainDeadline) break;
      await sleep(500);
    }
    const briefs = alertBriefs();
    progress.say(
      `${label}: ${drained ? 'drained' : 'drain timed out'}: ${briefs.length} briefs posted`,
    );

    // Let the last counter updates and writes land before reading the final figures.
    await sleep(500);
    const stopped = await stopAndDescribe(replicas, ackedBy);
    samples = stopped.samples;
    const replicaFigures = stopped.figures;
    replicas = [];

    const counts = intakeCounts(samples);
    const atIntake = Math.max(0, acked - counts.accepted - counts.grouped);
    // Threads where the bot answered an alert, and which of them got a brief or a pointer.
    const folded = pointers();
    const briefThreads = new Set([
      ...briefs.map((b) => b.threadTs),
      ...folded.map((p) => p.threadTs),
    ]);
    const opened = [...sentAt.keys()].filter(
      (ts) => ledger.postsInThread(ALERTS, ts).length > 0 || briefThreads.has(ts),
    );
    const withoutBriefTs = opened.filter((ts) => !briefThreads.has(ts));
    const withoutBrief = Math.max(
      withoutBriefTs.length,
      counts.accepted - briefs.length - folded.length,
    );
    const details: string[] = [];
    if (atIntake > 0)
      details.push(
        `${atIntake} acked alert(s) were neither accepted nor grouped (lzo_intake_total{origin="alert"}: ${JSON.stringify(counts)})`,
      );
    for (const ts of withoutBriefTs.slice(0, 10))
      details.push(`alert ${ts} (${sentAt.get(ts)?.server}) opened an incident but got no brief`);
    if (withoutBriefTs.length > 10) details.push(`… and ${withoutBriefTs.length - 10} more`);
    if (counts.accepted - briefs.length - folded.length > withoutBriefTs.length)
      details.push(
        `${counts.accepted} incidents accepted but only ${briefs.length} briefs and ${folded.length} pointers to a storm's parent posted`,
      );

    const incidentsPerServer = new Map<string, number>();
    for (const ts of opened) {
      const server = sentAt.get(ts)?.server ?? '?';
      incidentsPerServer.set(server, (incidentsPerServer.get(server) ?? 0) + 1);
    }
    const writes = chatWrites(slack, stormStart);
    const busiestOf = (selected: { channel: string; at: number }[]) => {
      const byChannel = new Map<string, number[]>();
      for (const w of selected)
        byChannel.set(w.channel, [...(byChannel.get(w.channel) ?? []), w.at]);
      let busiest: { channel: string | null; count: number } = { channel: null, count: 0 };
      let minGap: number | null = null;
      for (const [channel, times] of byChannel) {
        const { count } = maxInWindow(times, 1000);
        if (count > busiest.count) busiest = { channel, count };
        const sorted = [...times].sort((a, b) => a - b);
        for (let i = 1; i < sorted.length; i++) {
          const gap = (sorted[i] ?? 0) - (sorted[i - 1] ?? 0);
          if (minGap === null || gap < minGap) minGap = gap;
        }
      }
      return { ...busiest, minGap };
    };
    const posts = busiestOf(writes.filter((w) => w.post));
    const all = busiestOf(writes);
    const lastBrief = briefs.reduce((m, b) => Math.max(m, b.at), 0);
    return {
      store: store.kind,
      replicas: options.replicas,
      alertsSent: plan.length,
      alertsAcked: acked,
      alertsNotAcked: plan.length - acked,
      lost: { total: atIntake + withoutBrief, atIntake, withoutBrief, details },
      intake: counts,
      investigations: total(samples, 'lzo_investigations_total'),
      folded: total(samples, 'lzo_storm_folds_total'),
      distinctServers: new Set(plan).size,
      maxIncidentsPerServer: Math.max(0, ...incidentsPerServer.values()),
      ackMs: summarize(acks.map((a) => a.ms)),
      sendLagMs: summarize(lags),
      slackWrites: {
        total: writes.length,
        maxPerChannelPerSecond: all.count,
        busiestChannel: all.channel,
        maxPostsPerChannelPerSecond: posts.count,
        minPostGapMs: posts.minGap,
        rateLimited: total(samples, 'lzo_slack_rate_limited_total'),
        byMethod: callsByMethod(slack.calls, stormStart),
      },
      alertToBriefMs: summarize(
        briefs.flatMap((b) => {
          const sent = b.threadTs ? sentAt.get(b.threadTs) : undefined;
          return sent ? [b.at - sent.at] : [];
        }),
      ),
      drainMs: lastBrief > 0 ? round(Math.max(0, lastBrief - lastSentAt)) : null,
      drainTimedOut: !drained,
      slackMs: histogramFigures(histogram(samples, 'lzo_slack_seconds'), 1000),
      botOverheadMs: histogramFigures(histogram(samples, 'lzo_bot_overhead_seconds'), 1000),
      modelMaxInFlight: openai.maxInFlight,
      replicaFigures,
    };
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await fakes.close();
  }
}
