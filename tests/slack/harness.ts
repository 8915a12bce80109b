import { parseConfig } from '../../src/config/env.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { silentLogger } from '../../src/logger.ts';
import type { FollowUpModel } from '../../src/operator/conversation/model.ts';
import type { Planner } from '../../src/operator/decision/planners/planner.ts';
import { createSlackBot, type SlackBot } from '../../src/root/slack.ts';
import type { Store } from '../../src/store/ports.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import type { Backends } from '../../src/tools/backends.ts';
import type { FleetFile } from '../../src/tools/fleet/format.ts';
import { loadDemoFleet } from '../../src/tools/fleet/load.ts';
import { SimulatedFleet } from '../../src/tools/fleet/simulated.ts';
import {
  clickBody,
  commandBody,
  eventEnvelope,
  FakeSlack,
  postSigned,
  type SignedPost,
  viewClickBody,
} from '../../testing/fake-slack.ts';

export const SECRET = 'test-signing-secret';
export const ALERTS = 'C0ALERTS';
export const OPS = 'C0OPS';
export const ESCALATIONS = 'C0ESCAL';
export const APPROVER = 'U0APPROVER';
export const ONCALL_GROUP = 'S0ONCALL';
export const GROUP_MEMBER = 'U0MEMBER';
export const STRANGER = 'U0STRANGER';

export type BotHarness = {
  slack: FakeSlack;
  bot: SlackBot;
  fleet: SimulatedFleet;
  store: Store;
  url: string;
  event(
    event: Record<string, unknown>,
    options?: SignedPost & { eventId?: string },
  ): ReturnType<typeof postSigned>;
  command(
    text: string,
    options?: { user?: string; channel?: string; responseUrl?: string },
  ): ReturnType<typeof postSigned>;
  click(
    actionId: 'approve_restart' | 'deny_restart' | 'open_full_brief',
    proposalId: string,
    options?: {
      user?: string;
      channel?: string;
      messageTs?: string;
      threadTs?: string;
      ephemeral?: boolean;
      triggerId?: string;
    },
  ): ReturnType<typeof postSigned>;
  /** A click inside a modal or the Home tab. */
  viewClick(
    actionId: string,
    value: string,
    options: {
      user: string;
      view: { id: string; type: 'modal' | 'home'; private_metadata?: string };
    },
  ): ReturnType<typeof postSigned>;
  close(): Promise<void>;
};

export type HarnessOptions = {
  env?: Record<string, string>;
  /** The model for free follow-up questions; default none (the rules answer). */
  followUpModel?: FollowUpModel | null;
  store?: Store;
  fleet?: FleetFile;
  planner?: Planner;
  slack?: FakeSlack;
  replica?: string;
};

/** The real bot in HTTP mode on a loopback port, talking to a fake Slack Web API. */
export async function startBot(options: HarnessOptions = {}): Promise<BotHarness> {
  const slack = options.slack ?? (await FakeSlack.start());
  slack.groups.set(ONCALL_GROUP, [GROUP_MEMBER]);
  const config = parseConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ALERT_CHANNELS: ALERTS,
    APPROVERS: `${APPROVER},${ONCALL_GROUP}`,
    ESCALATION_CHANNEL: ESCALATIONS,
    SLACK_WRITE_INTERVAL_MS: '0',
    SLACK_EDITS_PER_MINUTE: '100000',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const fleet = SimulatedFleet.fromFleet(options.fleet ?? (await loadDemoFleet()), systemClock);
  const backends: Backends = {
    inventory: fleet,
    health: fleet,
    logs: fleet,
    changes: fleet,
    restarter: fleet,
  };
  const store = options.store ?? SqliteStore.open(':memory:');
  const bot = await createSlackBot(config, {
    store,
    backends,
    logger: silentLogger(),
    ...(options.planner ? { planner: options.planner } : {}),
    ...(options.replica ? { replica: options.replica } : {}),
    followUpModel: options.followUpModel ?? null,
  });
  await bot.start();
  const url = `http://127.0.0.1:${bot.port()}/slack/events`;
  return {
    slack,
    bot,
    fleet,
    store,
    url,
    event: (event, opts = {}) =>
      postSigned(url, SECRET, eventEnvelope(event, opts.eventId), 'application/json', opts),
    command: (text, opts = {}) =>
      postSigned(
        url,
        SECRET,
        commandBody({
          text,
          user_id: opts.user ?? 'U0ASKER',
          channel_id: opts.channel ?? OPS,
          response_url: opts.responseUrl ?? slack.responseUrl('cmd'),
        }),
        'application/x-www-form-urlencoded',
      ),
    click: (actionId, proposalId, opts = {}) =>
      postSigned(
        url,
        SECRET,
        clickBody({
          actionId,
          value: proposalId,
          userId: opts.user ?? APPROVER,
          channel: opts.channel ?? OPS,
          messageTs: opts.messageTs ?? '1700000000.000101',
          ...(opts.threadTs ? { threadTs: opts.threadTs } : {}),
          ...(opts.ephemeral ? { ephemeral: true } : {}),
          ...(opts.triggerId ? { triggerId: opts.triggerId } : {}),
          responseUrl: slack.responseUrl('click'),
        }),
        'application/x-www-form-urlencoded',
      ),
    viewClick: (actionId, value, opts) =>
      postSigned(
        url,
        SECRET,
        viewClickBody({ actionId, value, userId: opts.user, view: opts.view }),
        'application/x-www-form-urlencoded',
      ),
    close: async () => {
      await bot.stop();
      if (!options.slack) await slack.close();
    },
  };
}

/** A message event as Slack sends it for a user's post. */
export function userMessage(
  channel: string,
  text: string,
  ts: string,
  extra: Record<string, unknown> = {},
) {
  return { type: 'message', channel, user: 'U0HUMAN', text, ts, ...extra };
}

export function mention(
  channel: string,
  text: string,
  ts: string,
  extra: Record<string, unknown> = {},
) {
  return { type: 'app_mention', channel, user: 'U0HUMAN', text: `<@UBOT> ${text}`, ts, ...extra };
}
