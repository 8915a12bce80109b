import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { type Config, requireSlack, type SlackMode } from '../config/env.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { Planner } from '../operator/planners/planner.ts';
import { createRuntime, openStore, type Runtime } from '../runtime.ts';
import type { Store } from '../store/store.ts';
import type { Backends } from '../tools/backends.ts';
import { GroupCounter } from './alert-groups.ts';
import { SlackApprovers } from './approvers.ts';
import { boltLogger } from './bolt-logger.ts';
import { Decisions } from './decisions.ts';
import { SlackEscalator } from './escalator.ts';
import { httpRoutes } from './http-routes.ts';
import { Intake } from './intake.ts';
import { registerListeners } from './listeners/index.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { StorePacer } from './pacer.ts';
import { InvestigationWorker } from './worker.ts';
import { SlackWriter } from './writer.ts';

/** Limits of the bot's own behaviour toward Slack, declared once. */
export const SLACK_BOT_LIMITS = {
  /** Web API retries for errors and timeouts; 429s are waited out by the writer, bounded. */
  retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 4_000, randomize: true },
  requestTimeoutMs: 15_000,
  /** The longest a single write waits for Slack's rate limits before it is given up. */
  maxRateLimitWaitMs: 60_000,
  /** How long a retried event or a mention-and-message pair is remembered. */
  dedupeTtlMs: 60 * 60_000,
  /** Edits that may go back to back before SLACK_EDITS_PER_MINUTE applies (Slack tolerates bursts). */
  editBurst: 10,
  /** Repeats of an alert are shown at most this often per thread. */
  counterDebounceMs: 2_000,
  /** How often undecided proposals are checked for expiry. */
  expirySweepMs: 60_000,
  pollMs: 2_000,
  maxJobAttempts: 3,
} as const;

export type SlackBotOverrides = {
  store?: Store;
  backends?: Backends;
  planner?: Planner;
  logger?: Logger;
  /** This replica's name on job leases (default: a random one). */
  replica?: string;
  fetch?: typeof fetch;
};

export type SlackBot = {
  mode: SlackMode;
  app: App;
  runtime: Runtime;
  metrics: Metrics;
  worker: InvestigationWorker;
  decisions: Decisions;
  groupCounter: GroupCounter;
  /** The port /healthz and /metrics (and, in HTTP mode, /slack/events) listen on, once started. */
  port: () => number | null;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** The WebClient joins method names to this URL, so it must end with a slash. */
function slackApiUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export function webClientOptions(config: Config, logger: Logger): WebClientOptions {
  return {
    ...(config.SLACK_API_URL ? { slackApiUrl: slackApiUrl(config.SLACK_API_URL) } : {}),
    retryConfig: { ...SLACK_BOT_LIMITS.retryConfig },
    // A 429 must never park a listener for half an hour: the writer waits it out, bounded.
    rejectRateLimitedCalls: true,
    timeout: SLACK_BOT_LIMITS.requestTimeoutMs,
    logger: boltLogger(logger.child({ component: 'web-api' })),
  };
}

/**
 * The Slack bot: Bolt wiring around the operator. Socket Mode when SLACK_APP_TOKEN is set,
 * otherwise HTTP with every Slack request at POST /slack/events; /healthz and /metrics on PORT
 * in both.
 */
export async function createSlackBot(
  config: Config,
  overrides: SlackBotOverrides = {},
): Promise<SlackBot> {
  const { mode, botToken } = requireSlack(config);
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const metrics = createMetrics();
  const clientOptions = webClientOptions(config, logger);
  const web = new WebClient(botToken, clientOptions);
  const store = overrides.store ?? (await openStore(config));
  const writer = new SlackWriter(web, {
    // The pace lives in the store, so replicas writing to one channel share Slack's limit.
    pacer: new StorePacer(store, config.SLACK_WRITE_INTERVAL_MS),
    editPacer: new StorePacer(store, Math.ceil(60_000 / config.SLACK_EDITS_PER_MINUTE), {
      scope: 'workspace',
      burst: SLACK_BOT_LIMITS.editBurst,
    }),
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
    store,
    approvers,
    escalator: new SlackEscalator(store, writer, config.ESCALATION_CHANNEL ?? null),
    ...(overrides.backends ? { backends: overrides.backends } : {}),
    ...(overrides.planner ? { planner: overrides.planner } : {}),
  });

  const replica = overrides.replica ?? `replica-${randomUUID().slice(0, 8)}`;
  const worker = new InvestigationWorker({
    store,
    operator: runtime.operator,
    writer,
    approverIds: approvers.ids,
    settings: {
      owner: replica,
      concurrency: config.INVESTIGATION_CONCURRENCY,
      leaseMs: config.JOB_LEASE_SECONDS * 1000,
      pollMs: SLACK_BOT_LIMITS.pollMs,
      maxAttempts: SLACK_BOT_LIMITS.maxJobAttempts,
    },
    metrics,
    logger,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  });
  const groupCounter = new GroupCounter({
    store,
    writer,
    debounceMs: SLACK_BOT_LIMITS.counterDebounceMs,
    logger,
  });
  const intake = new Intake({
    store,
    operator: runtime.operator,
    inventory: runtime.backends.inventory,
    writer,
    settings: {
      groupWindowMs: config.ALERT_GROUP_WINDOW_MINUTES * 60_000,
      dedupeTtlMs: SLACK_BOT_LIMITS.dedupeTtlMs,
    },
    wake: () => worker.wake(),
    onGrouped: (groupId) => groupCounter.bump(groupId),
    metrics,
    logger,
  });
  const decisions = new Decisions({
    approvals: runtime.approvals,
    store,
    writer,
    approverIds: approvers.ids,
    metrics,
    logger,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  });

  const changes = runtime.changesWebhook;
  const customRoutes = httpRoutes({
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
        investigations_running: worker.busy,
        slack_writes_pending: writer.pending,
      };
    },
  });
  const bolt = boltLogger(logger);
  let httpServer: Server | null = null;
  let receiver: HTTPReceiver | SocketModeReceiver;
  if (mode === 'socket') {
    receiver = new SocketModeReceiver({
      appToken: config.SLACK_APP_TOKEN ?? '',
      customRoutes,
      // The socket client opens its connection through the Web API too: it must honour SLACK_API_URL.
      installerOptions: {
        port: config.PORT,
        clientOptions: config.SLACK_API_URL
          ? { slackApiUrl: slackApiUrl(config.SLACK_API_URL) }
          : {},
      },
      logger: bolt,
    });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET ?? '',
      endpoints: '/slack/events',
      customRoutes,
      logger: bolt,
    });
  }
  const app = new App({ token: botToken, receiver, logger: bolt, clientOptions });
  registerListeners(app, {
    intake,
    decisions,
    writer,
    alertChannels: new Set(config.ALERT_CHANNELS),
    logger,
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'a Slack listener failed');
  });

  let sweeper: NodeJS.Timeout | null = null;
  const port = (): number | null => {
    if (mode === 'socket') return config.PORT;
    const address = httpServer?.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : null;
  };
  return {
    mode,
    app,
    runtime,
    metrics,
    worker,
    decisions,
    groupCounter,
    port,
    async start() {
      const started = await app.start(config.PORT);
      if (mode === 'http') httpServer = started as Server;
      worker.start();
      sweeper = setInterval(() => {
        decisions
          .sweepExpired()
          .catch((error) => logger.error({ err: error }, 'expiry sweep failed'));
      }, SLACK_BOT_LIMITS.expirySweepMs);
      sweeper.unref();
      logger.info({ mode, port: port(), replica }, 'Level Zero Operator is listening');
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
      await app.stop().catch(() => {});
      await worker.stop();
      await groupCounter.flushAll();
      await runtime.close();
    },
  };
}
