import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebClient } from '@slack/web-api';
import { type Config, ConfigError } from '../config/env.ts';
import { systemClock } from '../domain/clock.ts';
import { alertWebhookRoutes } from '../http/alert-webhooks.ts';
import { StoreReadiness } from '../http/readiness.ts';
import { httpRoutes } from '../http/routes.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createMetrics, type Metrics } from '../metrics.ts';
import { ExpirySweep } from '../operator/approval/expiry.ts';
import { RestartReconciler } from '../operator/approval/reconciler.ts';
import { Conversation, FOLLOW_UP, FollowUpJobs } from '../operator/conversation/conversation.ts';
import type { FollowUpModel } from '../operator/conversation/model.ts';
import type { Planner } from '../operator/decision/planners/planner.ts';
import { Folding } from '../operator/intake/folding.ts';
import { Intake } from '../operator/intake/intake.ts';
import { Resolutions } from '../operator/intake/resolution.ts';
import { INVESTIGATE, InvestigationJobs } from '../operator/jobs/investigation-job.ts';
import { JobRunner } from '../operator/jobs/runner.ts';
import { Postmortems } from '../operator/postmortem/postmortems.ts';
import type { Presenter } from '../operator/presentation/presenter.ts';
import { GroupCounter } from '../slack/alert-groups.ts';
import {
  type BoltApp,
  createBoltApp,
  SLACK_BOT_LIMITS,
  type SlackMode,
  webClientOptions,
} from '../slack/app.ts';
import { SlackApprovers } from '../slack/approvers.ts';
import { Background } from '../slack/background.ts';
import { SlackConversation } from '../slack/conversation.ts';
import { Decisions } from '../slack/decisions.ts';
import { SlackEscalator } from '../slack/escalator.ts';
import { StorePacer } from '../slack/pacer.ts';
import { SlackPresenter } from '../slack/presenter.ts';
import { StormSummaries } from '../slack/storm-summary.ts';
import { Surfaces } from '../slack/surfaces.ts';
import { webhookRoute } from '../slack/thread.ts';
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
  reconciler: RestartReconciler;
  groupCounter: GroupCounter;
  storms: StormSummaries;
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
    // Reactions are Slack's cheapest answer, but budgeted per workspace too (Tier 3).
    reactionPacer: new StorePacer(
      store.coordination,
      Math.ceil(60_000 / SLACK_BOT_LIMITS.reactionsPerMinute),
      { scope: 'workspace', budget: 'reactions', burst: SLACK_BOT_LIMITS.reactionBurst },
    ),
    maxRateLimitWaitMs: SLACK_BOT_LIMITS.maxRateLimitWaitMs,
    onRateLimited: () => metrics.slackRateLimited.inc(),
  });
  // The runtime's clock; createRuntime is handed the same one below.
  const clock = systemClock;
  const replica = overrides.replica ?? `replica-${randomUUID().slice(0, 8)}`;
  const background = new Background(logger);
  const readiness = new StoreReadiness({
    coordination: store.coordination,
    metrics,
    logger,
    clock,
    replica,
  });
  const approvers = new SlackApprovers(config.APPROVERS, web, {
    now: () => clock.now().getTime(),
    timeout: clock.timeout,
    coordination: store.coordination,
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
    clock,
    ...(overrides.followUpModel !== undefined ? { followUpModel: overrides.followUpModel } : {}),
  });

  // The workspace the bot is installed in, asked once (again after a failure).
  let installedTeam: Promise<string | null> | null = null;
  const teamOfInstallation = () => {
    installedTeam ??= web.auth.test().then(
      (auth) => auth.team_id ?? null,
      (error: unknown) => {
        logger.warn({ err: error }, 'auth.test failed: clicks are refused until it answers');
        installedTeam = null;
        return null;
      },
    );
    return installedTeam;
  };

  const decisions = new Decisions({
    approvals: runtime.approvals,
    installedTeam: teamOfInstallation,
    store,
    writer,
    approverIds: approvers.ids,
    metrics,
    logger,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  });
  const storms = new StormSummaries({
    store,
    writer,
    approverIds: approvers.ids,
    debounceMs: SLACK_BOT_LIMITS.counterDebounceMs,
    logger,
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
    storms,
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

  const runner = new JobRunner({
    jobs: store.jobs,
    handlers: {
      [INVESTIGATE]: new InvestigationJobs({
        store,
        operator: runtime.operator,
        presenter,
        metrics,
        // Alerts of one cause arriving within the alert group window fold into one parent.
        fold: new Folding({ store, windowMs: config.ALERT_GROUP_WINDOW_MINUTES * 60_000, clock })
          .check,
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
  const resolutions = new Resolutions({
    store,
    presenter,
    // A resolved incident gets its postmortem draft, once.
    onResolved: (incidentId) => postmortems.onResolved(incidentId),
    lookbackMs: SLACK_BOT_LIMITS.alertLookbackMs,
    logger,
    clock,
  });
  // The intake's presenter: the progress message goes out in the background, so an event is
  // acknowledged once it is stored, not once Slack has shown "Investigating…". The runner is woken
  // once the progress messages started before it are out, so a quick brief replaces its progress
  // message rather than racing it (other replicas' polls may still win; the presenter copes).
  const announcing = new Set<Promise<void>>();
  const intakePresenter: Presenter = {
    progressIntervalMs: presenter.progressIntervalMs,
    announce: async (incidentId, route) => {
      const posting = presenter.announce(incidentId, route).finally(() => {
        announcing.delete(posting);
      });
      announcing.add(posting);
      background.track(posting, 'the progress message');
    },
    progress: (incident, state) => presenter.progress(incident, state),
    preliminary: (incidentId, route, brief) => presenter.preliminary(incidentId, route, brief),
    brief: (incidentId, route, investigation) => presenter.brief(incidentId, route, investigation),
    gaveUp: (incidentId, route, why) => presenter.gaveUp(incidentId, route, why),
    repeated: (groupId) => presenter.repeated(groupId),
    expired: (outcome) => presenter.expired(outcome),
    reconciled: (outcome) => presenter.reconciled(outcome),
    folded: (incidentId, route, folded) => presenter.folded(incidentId, route, folded),
    stormGrew: (parentId) => presenter.stormGrew(parentId),
    resolved: (incidentId, route) => presenter.resolved(incidentId, route),
  };
  const wakeAfterAnnounces = () => {
    if (announcing.size === 0) return runner.wake();
    void Promise.allSettled([...announcing]).then(() => runner.wake());
  };
  const intake = new Intake({
    store,
    operator: runtime.operator,
    inventory: runtime.backends.inventory,
    presenter: intakePresenter,
    resolutions,
    settings: {
      source: 'slack',
      groupWindowMs: config.ALERT_GROUP_WINDOW_MINUTES * 60_000,
      dedupeTtlMs: SLACK_BOT_LIMITS.dedupeTtlMs,
      lookbackMs: SLACK_BOT_LIMITS.alertLookbackMs,
    },
    wake: wakeAfterAnnounces,
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
    claims: { coordination: store.coordination, clock },
    metrics,
    logger,
  });

  // Restarts whose replica stopped half-way are settled by whichever replica looks first.
  const reconciler = new RestartReconciler({
    store,
    toolbox: runtime.toolbox,
    escalator: runtime.escalator,
    verify: runtime.verify,
    clock,
    storeRetryMs: runtime.restartStaleMs,
    presenter,
    settings: {
      staleMs: runtime.restartStaleMs,
      // A quarter of the threshold: the thread learns the truth at most 1.25 × it after the start.
      intervalMs: Math.min(SLACK_BOT_LIMITS.expirySweepMs, Math.ceil(runtime.restartStaleMs / 4)),
    },
    metrics,
    logger,
  });

  const changes = runtime.changesWebhook;
  const alertHooks =
    config.ALERT_WEBHOOK_TOKEN && config.ALERT_WEBHOOK_CHANNEL
      ? alertWebhookRoutes({
          token: config.ALERT_WEBHOOK_TOKEN,
          intake,
          route: webhookRoute(config.ALERT_WEBHOOK_CHANNEL),
          metrics,
          logger,
        })
      : [];
  const routes = httpRoutes({
    store,
    metrics,
    readiness,
    extra: [
      ...(changes
        ? [
            {
              path: '/changes',
              method: ['POST'],
              handler: (req: IncomingMessage, res: ServerResponse) => void changes(req, res),
            },
          ]
        : []),
      ...alertHooks,
    ],
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
      approvers,
      readiness,
      background: (work, what) => background.track(work, what),
      alertChannels: new Set(config.ALERT_CHANNELS),
      logger,
    },
    clientOptions,
    logger,
    clock,
    onStaleSignature: () => metrics.slackRequestsRefused.inc({ reason: 'signature_not_fresh' }),
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
    reconciler,
    groupCounter,
    storms,
    port: () => bolt.port(),
    async start() {
      await bolt.start();
      runner.start();
      sweep.start();
      reconciler.start();
      logger.info({ mode, port: bolt.port(), replica }, 'Level Zero Operator is listening');
    },
    async stop() {
      sweep.stop();
      await reconciler.stop();
      await bolt.stop();
      await background.settle();
      await runner.stop();
      await presenter.drained();
      await groupCounter.flushAll();
      await storms.flushAll();
      await runtime.close();
    },
  };
}
