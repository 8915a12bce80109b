import { z } from 'zod';

/**
 * The figures of a benchmark run: the shape of `--json FILE`, declared once. The phases build
 * these, the report prints them, and the smoke test validates the file against them.
 */

const ms = z.number().nonnegative();
const count = z.number().int().nonnegative();

export const Summary = z.object({
  count,
  p50: ms.nullable(),
  p99: ms.nullable(),
  mean: ms.nullable(),
  max: ms.nullable(),
});

const Bucket = z.object({ gt: ms, le: ms.nullable() });

export const HistogramFigures = z.object({
  count,
  /** Exact, from _sum/_count. */
  mean: ms.nullable(),
  /**
   * Estimated from the histogram's buckets by linear interpolation (Prometheus's histogram_quantile);
   * above the highest bucket, that bucket's bound. Only as good as the buckets: see p50Bucket/p99Bucket.
   */
  p50: ms.nullable(),
  p99: ms.nullable(),
  /** The bucket each falls in: more than `gt`, at most `le` (null = above the highest bucket). */
  p50Bucket: Bucket.nullable(),
  p99Bucket: Bucket.nullable(),
});
export type HistogramFigures = z.infer<typeof HistogramFigures>;

export const LatencyFigures = z.object({
  store: z.literal('embedded'),
  /** HTTP round trip of each signed request to POST /slack/events, ms. */
  ack: z.object({ events: Summary, commands: Summary, clicks: Summary }),
  /** Requests that did not get HTTP 200. */
  acksFailed: count,
  /** From sending a mention to the fake Slack receiving its (final) brief, ms. */
  eventToBriefMs: Summary,
  /** From sending a mention to its first brief on screen: the preliminary one, with a model, ms. */
  eventToFirstBriefMs: Summary,
  /** The same for /triage commands, ms. */
  commandToBriefMs: Summary,
  /** Mentions and commands whose brief did not come before the timeout. */
  briefsMissing: count,
  /** The replica's own split of each investigation (lzo_*_seconds histograms), ms. */
  modelMs: HistogramFigures,
  toolMs: HistogramFigures,
  /** Putting the brief in Slack, its rate-limit waits included: neither model, tools nor the bot. */
  slackMs: HistogramFigures,
  botOverheadMs: HistogramFigures,
  /** Per mention: event→brief minus the model time the fake model served minus the mean tool time, ms. */
  endToEndOverheadMs: Summary,
  /** lzo_model_turns: model turns per investigation. */
  modelTurns: HistogramFigures,
  /** lzo_model_prompt_tokens: prompt tokens the model endpoint reported per investigation. */
  promptTokens: HistogramFigures,
  investigations: count,
  clicks: z.object({ sent: count, handled: count }),
  peakRssBytes: count.nullable(),
});
export type LatencyFigures = z.infer<typeof LatencyFigures>;

export const ReplicaFigures = z.object({
  name: z.string(),
  /** VmHWM just before it was stopped, bytes. */
  peakRssBytes: count.nullable(),
  alertsAcked: count,
  investigations: count,
  logErrors: count,
  logWarnings: count,
  /** The first distinct error messages it logged. */
  errorMessages: z.array(z.string()),
  /** Set when it exited before the bench stopped it. */
  exitedEarly: z.string().nullable(),
});
export type ReplicaFigures = z.infer<typeof ReplicaFigures>;

export const StormFigures = z.object({
  store: z.enum(['postgres', 'embedded']),
  replicas: count,
  alertsSent: count,
  /** Answered HTTP 200 by a replica. */
  alertsAcked: count,
  alertsNotAcked: count,
  /** Acked but neither accepted nor grouped, plus opened incidents whose brief never came. */
  lost: z.object({
    total: count,
    atIntake: count,
    withoutBrief: count,
    details: z.array(z.string()),
  }),
  /** lzo_intake_total{origin="alert"} by result, summed over replicas. */
  intake: z.object({ accepted: count, grouped: count, duplicate: count, ignored: count }),
  /** Sum of lzo_investigations_total. */
  investigations: count,
  /** Of those, folded into a storm's parent (lzo_storm_folds_total): answered by a pointer, not a brief. */
  folded: count.default(0),
  distinctServers: count,
  /** Incidents opened for the busiest server (1 = every repeat was grouped). */
  maxIncidentsPerServer: count,
  ackMs: Summary,
  /** How late the generator sent alerts against its schedule (a saturated bench machine shows here), ms. */
  sendLagMs: Summary,
  slackWrites: z.object({
    total: count,
    /** Most chat writes (posts, edits, deletions) to one channel within any 1-second window. */
    maxPerChannelPerSecond: count,
    busiestChannel: z.string().nullable(),
    /** Most new messages (chat.postMessage) to one channel within any 1-second window: Slack's ~1/s limit. */
    maxPostsPerChannelPerSecond: count,
    /** The shortest time between two new messages in one channel (as the fake saw them), ms. */
    minPostGapMs: ms.nullable(),
    rateLimited: count,
    /** Every Web API call the replicas made during the storm, by method. */
    byMethod: z.record(z.string(), count),
  }),
  /** From the alert that opened an incident to its brief, ms. */
  alertToBriefMs: Summary,
  /** From the last alert sent to the last brief posted, ms; null when no brief came. */
  drainMs: ms.nullable(),
  drainTimedOut: z.boolean(),
  botOverheadMs: HistogramFigures,
  slackMs: HistogramFigures,
  /** Most model calls the fake model answered at once. */
  modelMaxInFlight: count,
  replicaFigures: z.array(ReplicaFigures),
});
export type StormFigures = z.infer<typeof StormFigures>;

export const CorrelatedFigures = z.object({
  replicas: count,
  stormServers: count,
  noiseServers: count,
  alertsSent: count,
  /** Answered 202 by a replica. */
  alertsAcked: count,
  alertsNotAcked: count,
  ackMs: Summary,
  sendLagMs: Summary,
  /** lzo_intake_total{origin="webhook"} by result, summed over replicas. */
  intake: z.object({
    accepted: count,
    grouped: count,
    duplicate: count,
    resolved: count,
    unmatched: count,
  }),
  lost: z.object({
    total: count,
    atIntake: count,
    withoutBrief: count,
    details: z.array(z.string()),
  }),
  /** Incidents opened, and how many of them folded into a storm's parent. */
  incidents: count,
  folded: count,
  /** Distinct causes in the alerts: the storm's one dependency and each noise server's own trouble. */
  causes: count,
  /** Briefs posted for the storm servers (1 = one parent for the storm). */
  stormParentBriefs: count,
  /** lzo_escalations_total{sent="true"}. */
  escalations: count,
  /**
   * Per storm server (each opens an incident, the parent's or one folded into it): from its first
   * alert to the parent brief that answers it, 0 when the brief was there first, ms.
   */
  firstAlertToParentBriefMs: Summary,
  /** Per cause (the storm and each noise server): its first alert → its brief; the noise's wait for the channel's pace, ms. */
  firstAlertToBriefPerCauseMs: Summary,
  stormFirstAlertToParentBriefMs: ms.nullable(),
  /** Edits of the parent's brief that carried its live summary. */
  stormSummaryEdits: count,
  slack: z.object({
    /** New messages (chat.postMessage) in ALERT_WEBHOOK_CHANNEL during the storm. */
    newMessages: count,
    /** Of those, "+N more alerts" counters. */
    counters: count,
    /** The target: distinct causes plus counters. */
    limit: count,
    escalationMessages: count,
    maxPostsPerChannelPerSecond: count,
    minPostGapMs: ms.nullable(),
    rateLimited: count,
    byMethod: z.record(z.string(), count),
  }),
  drainTimedOut: z.boolean(),
  botOverheadMs: HistogramFigures,
  modelMaxInFlight: count,
  replicaFigures: z.array(ReplicaFigures),
});
export type CorrelatedFigures = z.infer<typeof CorrelatedFigures>;

export const CeilingStep = z.object({
  ratePerMin: count,
  seconds: count,
  sent: count,
  acked: count,
  /** Acked but not counted by any replica's intake. */
  lost: count,
  ackMs: Summary,
  sendLagMs: Summary,
  minPostGapMs: ms.nullable(),
  /** VmHWM of each replica at the end of the step, bytes. */
  peakRssBytes: z.array(count),
  rateLimited: count,
  passed: z.boolean(),
  failures: z.array(z.string()),
});
export type CeilingStep = z.infer<typeof CeilingStep>;

export const CeilingFigures = z.object({
  replicas: count,
  steps: z.array(CeilingStep),
  /** The highest rate whose step passed, alerts a minute; null when none did. */
  ceilingPerMin: count.nullable(),
  stopReason: z.string(),
  minPostGapMs: ms.nullable(),
  /** VmHWM of each replica when it was stopped (after the step that failed, if one did). */
  peakRssBytes: z.array(count),
  /** VmHWM of each replica at the end of the last step that passed: the peak up to the ceiling. */
  peakRssAtCeilingBytes: z.array(count).default([]),
});
export type CeilingFigures = z.infer<typeof CeilingFigures>;

export const Target = z.object({
  name: z.string(),
  /** The figure it is checked on, in words. */
  figure: z.string(),
  limit: z.string(),
  value: z.number().nullable(),
  unit: z.string(),
  /** Null when the phase that measures it did not run. */
  pass: z.boolean().nullable(),
  note: z.string().nullable(),
});
export type Target = z.infer<typeof Target>;

export const BenchResult = z.object({
  when: z.iso.datetime(),
  command: z.string(),
  settings: z
    .object({
      latencyMs: count,
      alerts: count,
      durationS: count,
      servers: count,
      replicas: count,
      mentions: count,
      commands: count,
      /** Latency-phase requests go one at a time, at least this far apart. */
      latencySpacingMs: count,
      /** SLACK_WRITE_INTERVAL_MS given to the replicas; null = the bot's default. */
      writeIntervalMs: count.nullable(),
      /** The code measured: `git describe --always --dirty`. */
      revision: z.string(),
      machine: z.object({
        cpus: count,
        cpuModel: z.string(),
        memoryBytes: count,
        node: z.string(),
        platform: z.string(),
      }),
    })
    .loose(),
  latency: LatencyFigures.nullable(),
  storm: z.object({ postgres: StormFigures.nullable(), embedded: StormFigures.nullable() }),
  /** The webhook phases; absent in results written before they existed. */
  correlated: CorrelatedFigures.nullable().default(null),
  ceiling: CeilingFigures.nullable().default(null),
  targets: z.array(Target),
});
export type BenchResult = z.infer<typeof BenchResult>;
