import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { type Config, ConfigError } from '../config/env.ts';
import { httpRoutes } from '../http/routes.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createMetrics, type Metrics } from '../metrics.ts';
import { ExpirySweep } from '../operator/approval/expiry.ts';
import { Conversation, FOLLOW_UP, FollowUpJobs } from '../operator/conversation/conversation.ts';
import type { FollowUpModel } from '../operator/conversation/model.ts';
import type { Planner } from '../operator/decision/planners/planner.ts';
import { Intake } from '../operator/intake/intake.ts';
import { INVESTIGATE, InvestigationJobs } from '../operator/jobs/investigation-job.ts';
import { JobRunner } from '../operator/jobs/runner.ts';
import { Postmortems } from '../operator/postmortem/postmortems.ts';
import { GroupCounter } from '../slack/alert-groups.ts';
import {
  type BoltApp,
  createBoltApp,
  SLACK_BOT_LIMITS,
  type SlackMode,
  webClientOptions,
} from '../slack/app.ts';
import { SlackApprovers } from '../slack/approvers.ts';
import { SlackConversation } from '../slack/conversation.ts';
import { Decisions } from '../slack/decisions.ts';
import { SlackEscalator } from '../slack/escalator.ts';
import { StorePacer } from '../slack/pacer.ts';
import { SlackPresenter } from '../slack/presenter.ts';
import { Surfaces } from '../slack/surfaces.ts';
import { SlackViews } from '../slack/views.ts';
import { SlackWriter } from '../slack/writer.ts';
import type { Store } from '../store/ports.ts';
import type { Backends } from '../tools/backends.ts';
import { createRuntime, openStore, type Runtime } from './runtime.ts';

export type SlackBotOverrides = {
  /** The variables beyond Config that backends read. */
  env?: Readonly<Record<string, string | undefined>>;
  store?: Store;
  backends?: Backends;
  planner?: Planner;
  logger?: Logger;
  /** This replica's name on job leases (default: a random one). */
  replica?: string;
  fetch?: typeof fetch;
  /** The model for free follow-up questions (tests script one); default from configuration. */
  followUpModel?: FollowUpModel | null;
};

export type SlackBot = {
  mode: SlackMode;
  bolt: BoltApp;
  runtime: Runtime;
  metrics: Metrics;
  runner: JobRunner;
  decisions: Decisions;
  /** Postmortem drafts; the path that records a resolution calls `onResolved`. */
  postmortems: Postmortems;
  sweep: ExpirySweep;
  groupCounter: GroupCounter;
  /** The port /healthz and /metrics (and, in HTTP mode, /slack/events) listen on, once started. */
  port: () => number | null;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** Slack settings `npm start` cannot run without; every missing one is named at once. */
function slackSettings(config: Config): { mode: SlackMode; botToken: string } {
  const problems: string[] = [];
  if (!config.SLACK_BOT_TOKEN)
    problems.push(
      'SLACK_BOT_TOKEN: required to run the Slack bot (the xoxb-… Bot User OAuth Token)',
    );
  if (!config.SLACK_APP_TOKEN && !config.SLACK_SIGNING_SECRET)
    problems.push(
      'SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: set SLACK_APP_TOKEN (xapp-…) for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode',
    );
  if (problems.length > 0 || !config.SLACK_BOT_TOKEN) throw new ConfigError(problems);
  return { mode: config.SLACK_APP_TOKEN ? 'socket' : 'http', botToken: config.SLACK_BOT_TOKEN };
}

/**
 * The Slack bot, wired: the runtime (store, backends, operator, approvals), the platform-neutral
 * intake, job runner and expiry sweep, and the Slack presenter, listeners and Bolt app around them.
 */
export async function createSlackBot(
  config: Config,
  overrides: SlackBotOverrides = {},
): Promise<SlackBot> {
  const { mode, botToken } = slackSettings(config);
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const metrics = createMetrics();
  const clientOptions = webClientOptions(config.SLACK_API_URL, logger);
  const web = new WebClient(botToken, clientOptions);
  const store = overrides.store ?? (await openStore(config));
  const writer = new SlackWriter(web, {
    // The pace lives in the store, so replicas writing to one channel share Slack's limit.
    pacer: new StorePacer(store.coordination, config.SLACK_WRITE_INTERVAL_MS),
    editPacer: new StorePacer(
      store.coordination,
      Math.ceil(60_000 / config.SLACK_EDITS_PER_MINUTE),
      {
        scope: 'workspace',
        burst: SLACK_BOT_LIMITS.editBurst,
      },
    ),
    maxRateLimitWaitMs: SLACK_BOT_LIMITS.maxRateLimitWaitMs,
    onRateLimited: () => metrics.slackRateLimited.inc(),
  });
  const approvers = new SlackApprovers(config.APPROVERS, web, {
    onLookupFailed: (group, error) =>
      logger.warn(
        { err: error, group },
        'could not read a user group; its members cannot approve until it answers',
      ),
  });
  const runtime = await createRuntime(config, {
    ...(overrides.env ? { env: overrides.env } : {}),
    store,
    approvers,
    escalator: new SlackEscalator(store, writer, config.ESCALATION_CHANNEL ?? null),
    ...(overrides.backends ? { backends: overrides.backends } : {}),
    ...(overrides.planner ? { planner: overrides.planner } : {}),
    ...(overrides.followUpModel !== undefined ? { followUpModel: overrides.followUpModel } : {}),
  });
  const { clock } = runtime;

  const decisions = new Decisions({
    approvals: runtime.approvals,
    store,
    writer,
    approverIds: approvers.ids,
    metrics,
    logger,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  });
  const groupCounter = new GroupCounter({
    store,
    writer,
    debounceMs: SLACK_BOT_LIMITS.counterDebounceMs,
    logger,
    clock,
  });
  const presenter = new SlackPresenter({
    store,
    writer,
    counter: groupCounter,
    decisions,
    approverIds: approvers.ids,
    progressIntervalMs: SLACK_BOT_LIMITS.progressIntervalMs,
    model: runtime.planner.model,
    threadStatus: async (channel, threadTs, status) => {
      await web.assistant.threads.setStatus({ channel_id: channel, thread_ts: threadTs, status });
    },
    metrics,
    logger,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  });

  const threads = new SlackConversation({
    store,
    writer,
    approverIds: approvers.ids,
    metrics,
    logger,
  });
  const postmortems = new Postmortems({ store, presenter: threads, clock });
  const surfaces = new Surfaces({
    store,
    views: new SlackViews(web),
    approvers,
    approverIds: approvers.ids,
    clock,
    logger,
  });

  const replica = overrides.replica ?? `replica-${randomUUID().slice(0, 8)}`;
  const runner = new JobRunner({
    jobs: store.jobs,
    handlers: {
      [INVESTIGATE]: new InvestigationJobs({
        store,
        operator: runtime.operator,
        presenter,
        metrics,
      }),
      [FOLLOW_UP]: new FollowUpJobs({
        store,
        operator: runtime.operator,
        toolbox: runtime.toolbox,
        escalator: runtime.escalator,
        presenter: threads,
        postmortems,
        model: runtime.followUpModel,
        clock,
        logger,
      }),
    },
    settings: {
      owner: replica,
      concurrency: config.INVESTIGATION_CONCURRENCY,
      leaseMs: config.JOB_LEASE_SECONDS * 1000,
      pollMs: SLACK_BOT_LIMITS.pollMs,
      maxAttempts: SLACK_BOT_LIMITS.maxJobAttempts,
    },
    clock,
    logger,
    onBusy: (running) => metrics.jobsQueued.set(running),
  });
  const intake = new Intake({
    store,
    operator: runtime.operator,
    inventory: runtime.backends.inventory,
    presenter,
    settings: {
      source: 'slack',
      groupWindowMs: config.ALERT_GROUP_WINDOW_MINUTES * 60_000,
      dedupeTtlMs: SLACK_BOT_LIMITS.dedupeTtlMs,
    },
    wake: () => runner.wake(),
    metrics,
    logger,
    clock,
  });
  const conversation = new Conversation({
    store,
    wake: () => runner.wake(),
    dedupeTtlMs: SLACK_BOT_LIMITS.dedupeTtlMs,
    clock,
  });
  const sweep = new ExpirySweep({
    approvals: runtime.approvals,
    presenter,
    intervalMs: SLACK_BOT_LIMITS.expirySweepMs,
    metrics,
    logger,
  });

  const changes = runtime.changesWebhook;
  const routes = httpRoutes({
    store,
    metrics,
    ...(changes
      ? {
          extra: [
            { path: '/changes', method: ['POST'], handler: (req, res) => void changes(req, res) },
          ],
        }
      : {}),
    describe: () => {
      metrics.slackWritesPending.set(writer.pending);
      return {
        mode,
        replica,
        store: store.kind,
        planner: runtime.planner.name,
        investigations_running: runner.busy,
        slack_writes_pending: writer.pending,
      };
    },
  });
  const bolt = createBoltApp({
    mode,
    botToken,
    appToken: config.SLACK_APP_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    apiUrl: config.SLACK_API_URL,
    port: config.PORT,
    routes,
    listeners: {
      intake,
      decisions,
      conversation,
      surfaces,
      postmortems,
      writer,
      alertChannels: new Set(config.ALERT_CHANNELS),
      logger,
    },
    clientOptions,
    logger,
  });

  return {
    mode,
    bolt,
    runtime,
    metrics,
    runner,
    decisions,
    postmortems,
    sweep,
    groupCounter,
    port: () => bolt.port(),
    async start() {
      await bolt.start();
      runner.start();
      sweep.start();
      logger.info({ mode, port: bolt.port(), replica }, 'Level Zero Operator is listening');
    },
    async stop() {
      sweep.stop();
      await bolt.stop();
      await runner.stop();
      await presenter.drained();
      await groupCounter.flushAll();
      await runtime.close();
    },
  };
}
