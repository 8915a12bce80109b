import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What an SRE wants to graph about the bot itself, served at GET /metrics in Prometheus text format.
 * One registry per bot instance, so tests and benchmarks can run several side by side.
 */
export function createMetrics() {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'level-zero-operator' });
  const metrics = {
    registry,
    intake: new Counter({
      name: 'lzo_intake_total',
      help: 'Requests taken in (Slack events and commands, webhook alerts), by origin and result (accepted, duplicate, grouped, ignored, resolved, unmatched).',
      labelNames: ['origin', 'result'] as const,
      registers: [registry],
    }),
    webhookRequests: new Counter({
      name: 'lzo_alert_webhook_requests_total',
      help: 'Requests to POST /alerts/…, by kind (alertmanager, grafana, generic) and HTTP status.',
      labelNames: ['kind', 'status'] as const,
      registers: [registry],
    }),
    folds: new Counter({
      name: 'lzo_storm_folds_total',
      help: 'Investigations folded into the parent incident of a storm that shares their cause.',
      registers: [registry],
    }),
    investigations: new Counter({
      name: 'lzo_investigations_total',
      help: 'Investigations finished, by planner and decision.',
      labelNames: ['planner', 'action'] as const,
      registers: [registry],
    }),
    investigationSeconds: new Histogram({
      name: 'lzo_investigation_seconds',
      help: 'From job start to brief posted.',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    modelSeconds: new Histogram({
      name: 'lzo_model_seconds',
      help: 'Per investigation: time spent waiting for model answers.',
      buckets: [0, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    toolSeconds: new Histogram({
      name: 'lzo_tool_seconds',
      help: 'Per investigation: time spent in tools (prefetch and planner tool calls).',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 10],
      registers: [registry],
    }),
    slackSeconds: new Histogram({
      name: 'lzo_slack_seconds',
      help: 'Per investigation: time to put the brief in Slack, waiting for its rate limits included.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    overheadSeconds: new Histogram({
      name: 'lzo_bot_overhead_seconds',
      help: 'Per investigation: job time that is neither model, tools nor Slack (the bot itself).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    modelTurns: new Histogram({
      name: 'lzo_model_turns',
      help: 'Model turns per investigation.',
      buckets: [0, 1, 2, 3, 4, 5, 6, 8, 10],
      registers: [registry],
    }),
    modelPromptTokens: new Histogram({
      name: 'lzo_model_prompt_tokens',
      help: 'Per investigation: prompt tokens the model endpoint reported, all turns.',
      buckets: [0, 500, 1000, 2000, 3000, 4000, 6000, 8000, 16000, 32000],
      registers: [registry],
    }),
    plannerFallbacks: new Counter({
      name: 'lzo_planner_fallbacks_total',
      help: 'Investigations where the model failed and the rules planner answered.',
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'lzo_restart_decisions_total',
      help: 'Approve/Deny clicks and expiries, by outcome.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    reconciled: new Counter({
      name: 'lzo_restarts_reconciled_total',
      help: 'Restarts whose replica stopped half-way, settled by the reconciler, by outcome.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    storeWritable: new Gauge({
      name: 'lzo_store_writable',
      help: '1 while the store takes writes, 0 after a write failed (until one succeeds again).',
      registers: [registry],
    }),
    storeWriteFailures: new Counter({
      name: 'lzo_store_write_failures_total',
      help: 'Slack requests not acknowledged (or answered with an error) because the store could not write them, by kind.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    slackRequestsRefused: new Counter({
      name: 'lzo_slack_requests_refused_total',
      help: 'Slack requests refused before any listener ran, by reason (a signature timestamp more than 5 minutes off).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    escalations: new Counter({
      name: 'lzo_escalations_total',
      help: 'Escalations, by whether they were sent.',
      labelNames: ['sent'] as const,
      registers: [registry],
    }),
    jobsQueued: new Gauge({
      name: 'lzo_jobs_in_flight',
      help: 'Investigations running in this replica.',
      registers: [registry],
    }),
    slackWritesPending: new Gauge({
      name: 'lzo_slack_writes_pending',
      help: 'Slack writes waiting for their channel lane.',
      registers: [registry],
    }),
    slackRateLimited: new Counter({
      name: 'lzo_slack_rate_limited_total',
      help: 'Slack 429 answers waited out.',
      registers: [registry],
    }),
    slackErrors: new Counter({
      name: 'lzo_slack_errors_total',
      help: 'Slack Web API calls that failed, by error code.',
      labelNames: ['error'] as const,
      registers: [registry],
    }),
  };
  metrics.storeWritable.set(1);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
