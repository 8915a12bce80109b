import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Clock } from '../domain/clock.ts';
import type { HttpRoute } from '../http/routes.ts';
import type { Logger } from '../logger.ts';
import { ackEventsAfterListeners, isNotAcknowledged } from './acks.ts';
import { boltLogger } from './bolt-logger.ts';
import { refuseFutureTimestamps } from './freshness.ts';
import type { ListenerDeps } from './listeners/deps.ts';
import { registerListeners } from './listeners/index.ts';

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
  /** Reactions (reactions.add, Tier 3) across replicas, and how many may go back to back. */
  reactionsPerMinute: 50,
  reactionBurst: 10,
  /** How far back a recovery or a re-sent alert looks for its alert's group. */
  alertLookbackMs: 24 * 60 * 60_000,
  /**
   * Progress is worth an edit only while an investigation is slow: the first update waits this
   * long, later ones at least as long apart. Edits are budgeted by Slack per workspace, so every
   * progress edit saved is room for a brief.
   */
  progressIntervalMs: 1_500,
  /** How often undecided proposals are checked for expiry. */
  expirySweepMs: 60_000,
  pollMs: 2_000,
  maxJobAttempts: 3,
} as const;

export type SlackMode = 'socket' | 'http';

/** The WebClient joins method names to this URL, so it must end with a slash. */
function slackApiUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export function webClientOptions(apiUrl: string | undefined, logger: Logger): WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: slackApiUrl(apiUrl) } : {}),
    retryConfig: { ...SLACK_BOT_LIMITS.retryConfig },
    // A 429 must never park a listener for half an hour: the writer waits it out, bounded.
    rejectRateLimitedCalls: true,
    timeout: SLACK_BOT_LIMITS.requestTimeoutMs,
    logger: boltLogger(logger.child({ component: 'web-api' })),
  };
}

export type BoltAppOptions = {
  mode: SlackMode;
  botToken: string;
  appToken?: string | undefined;
  signingSecret?: string | undefined;
  apiUrl?: string | undefined;
  port: number;
  /** Served beside Slack's own endpoint (/healthz, /metrics, webhooks), in both modes. */
  routes: HttpRoute[];
  listeners: ListenerDeps;
  clientOptions: WebClientOptions;
  logger: Logger;
  clock: Clock;
  /** Counts a request refused for a stale or future signature timestamp. */
  onStaleSignature?: () => void;
};

export type BoltApp = {
  app: App;
  /** The port the HTTP routes (and, in HTTP mode, /slack/events) listen on, once started. */
  port(): number | null;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Bolt wiring: Socket Mode when an app token is given, otherwise HTTP with every Slack request at
 * POST /slack/events; the extra routes on the same port in both. A request is acknowledged once
 * its listener stored what it must: HTTP answers after the listeners (`processBeforeResponse`),
 * and Socket Mode holds event acknowledgements until their listeners are done. A listener that
 * could not store its request throws NotAcknowledged: HTTP answers 503 and Socket Mode sends no
 * acknowledgement, so Slack delivers it again.
 */
export function createBoltApp(options: BoltAppOptions): BoltApp {
  const bolt = boltLogger(options.logger);
  const notAcknowledged = (error: unknown) => {
    options.logger.warn(
      { err: error },
      'a Slack request was not acknowledged: Slack will deliver it again',
    );
  };
  let receiver: Receiver;
  if (options.mode === 'socket') {
    receiver = ackEventsAfterListeners(
      new SocketModeReceiver({
        appToken: options.appToken ?? '',
        customRoutes: options.routes,
        // The socket client opens its connection through the Web API too: it must honour SLACK_API_URL.
        installerOptions: {
          port: options.port,
          clientOptions: options.apiUrl ? { slackApiUrl: slackApiUrl(options.apiUrl) } : {},
        },
        logger: bolt,
        processEventErrorHandler: async ({ error }) => {
          if (isNotAcknowledged(error)) notAcknowledged(error);
          else options.logger.error({ err: error }, 'a Slack request failed');
          return false;
        },
      }),
      options.logger,
    );
  } else {
    const http = new HTTPReceiver({
      signingSecret: options.signingSecret ?? '',
      endpoints: '/slack/events',
      customRoutes: options.routes,
      logger: bolt,
      // The answer waits for the listeners: nothing is acknowledged before it is stored.
      processBeforeResponse: true,
      processEventErrorHandler: async ({ error, response }) => {
        if (response.headersSent) return false;
        if (isNotAcknowledged(error)) {
          notAcknowledged(error);
          response.writeHead(503, { 'retry-after': '5' }).end();
          return false;
        }
        options.logger.error({ err: error }, 'a Slack request failed');
        response.writeHead(500).end();
        return false;
      },
    });
    http.requestListener = refuseFutureTimestamps(http.requestListener, {
      endpoint: '/slack/events',
      clock: options.clock,
      logger: options.logger,
      ...(options.onStaleSignature ? { onRefused: options.onStaleSignature } : {}),
    });
    receiver = http;
  }
  const app = new App({
    token: options.botToken,
    receiver,
    logger: bolt,
    clientOptions: options.clientOptions,
  });
  registerListeners(app, options.listeners);
  app.error(async (error) => {
    // Passed on, so the receiver answers for a retry instead of acknowledging.
    if (isNotAcknowledged(error)) throw error;
    options.logger.error({ err: error }, 'a Slack listener failed');
  });
  let httpServer: Server | null = null;
  return {
    app,
    port() {
      if (options.mode === 'socket') return options.port;
      const address = httpServer?.address();
      return address && typeof address === 'object' ? (address as AddressInfo).port : null;
    },
    async start() {
      const started = await app.start(options.port);
      if (options.mode === 'http') httpServer = started as Server;
    },
    async stop() {
      await app.stop().catch(() => {});
    },
  };
}
