import { WebClient } from '@slack/web-api';
import { parseConfig } from '../../src/config/env.ts';
import type { Proposal } from '../../src/domain/proposal.ts';
import { type Logger, silentLogger } from '../../src/logger.ts';
import { createMetrics, type Metrics } from '../../src/metrics.ts';
import { createRuntime, type Runtime } from '../../src/root/runtime.ts';
import { boltLogger } from '../../src/slack/bolt-logger.ts';
import { Decisions } from '../../src/slack/decisions.ts';
import { SlackEscalator } from '../../src/slack/escalator.ts';
import { LocalPacer } from '../../src/slack/pacer.ts';
import { SlackPresenter } from '../../src/slack/presenter.ts';
import { presentationOf, type SlackThread, threadOf } from '../../src/slack/thread.ts';
import { SlackWriter, type WriterOptions } from '../../src/slack/writer.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import type { Backends } from '../../src/tools/backends.ts';
import type { FleetFile } from '../../src/tools/fleet/format.ts';
import { SimulatedFleet } from '../../src/tools/fleet/simulated.ts';
import { ManualClock } from '../../testing/clock.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import { backendsOf, seedFleet } from './fleet.ts';
import { APPROVER, ApproverList } from './runtime.ts';

/**
 * The Slack layer's real parts for unit tests: a WebClient and SlackWriter pointed at a FakeSlack,
 * and a real runtime (in-memory store, simulated fleet, ManualClock) whose escalations go through a
 * SlackEscalator into ESCALATION, so a test sees every Slack write the bot would make.
 */

export const ESCALATION = 'C0ESCAL';
export const ALERTS = 'C0ALERTS';
export const OPS = 'C0OPS';
export const PAYMENT_REPORT = 'The payment-server-01 is extremely slow and timing out.';

/** A WebClient against the fake: no retries of its own, 429s handed to the writer. */
export function fakeWebClient(slack: FakeSlack): WebClient {
  return new WebClient('xoxb-test', {
    slackApiUrl: slack.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logger: boltLogger(silentLogger()),
  });
}

export type SlackParts = {
  slack: FakeSlack;
  web: WebClient;
  writer: SlackWriter;
  metrics: Metrics;
  logger: Logger;
  clock: ManualClock;
  runtime: Runtime;
  fleet: SimulatedFleet;
  close(): Promise<void>;
};

export type SlackPartsOptions = {
  slack?: FakeSlack;
  approvers?: readonly string[];
  /** null: escalations go into the incident thread. */
  escalationChannel?: string | null;
  fleet?: FleetFile;
  backends?: (fleetBackends: Backends) => Backends;
  writer?: Partial<WriterOptions>;
  env?: Record<string, string>;
};

export async function slackParts(options: SlackPartsOptions = {}): Promise<SlackParts> {
  const slack = options.slack ?? (await FakeSlack.start());
  const web = fakeWebClient(slack);
  const metrics = createMetrics();
  const writer = new SlackWriter(web, {
    pacer: new LocalPacer(0),
    maxRateLimitWaitMs: 1_000,
    onRateLimited: () => metrics.slackRateLimited.inc(),
    ...options.writer,
  });
  const clock = new ManualClock();
  const store = SqliteStore.open(':memory:');
  const fleet = SimulatedFleet.fromFleet(options.fleet ?? seedFleet(), clock);
  const runtime = await createRuntime(parseConfig({ LOG_LEVEL: 'silent', ...options.env }), {
    store,
    backends: options.backends ? options.backends(backendsOf(fleet)) : backendsOf(fleet),
    escalator: new SlackEscalator(
      store,
      writer,
      options.escalationChannel === undefined ? ESCALATION : options.escalationChannel,
    ),
    approvers: new ApproverList(options.approvers ?? [APPROVER]),
    clock,
  });
  return {
    slack,
    web,
    writer,
    metrics,
    logger: silentLogger(),
    clock,
    runtime,
    fleet,
    close: async () => {
      await runtime.close();
      if (!options.slack) await slack.close();
    },
  };
}

/**
 * An investigation presented the way the worker leaves it: the brief's message at `thread`, the
 * incident pointing at it. The restart proposal is returned (the payment server always gets one).
 */
export async function presentedRestart(
  parts: SlackParts,
  thread: SlackThread,
  report: string = PAYMENT_REPORT,
): Promise<{ incidentId: string; proposal: Proposal }> {
  const investigation = await parts.runtime.operator.investigate({
    report,
    source: 'slack',
    actor: 'U0ASKER',
    presentation: presentationOf(thread),
  });
  if (!investigation.proposal) throw new Error(`no restart proposal for ${report}`);
  return { incidentId: investigation.brief.incidentId, proposal: investigation.proposal };
}

/** Restart decisions shown in Slack, on the parts' runtime. */
export function slackDecisions(parts: SlackParts, approverIds = ['U0APPROVER']): Decisions {
  return new Decisions({
    approvals: parts.runtime.approvals,
    store: parts.runtime.store,
    writer: parts.writer,
    approverIds,
    metrics: parts.metrics,
    logger: parts.logger,
    fetch,
  });
}

/** The core's presenter in Slack, on the parts; repeats of alerts are reported to `onRepeated`. */
export function slackPresenter(
  parts: SlackParts,
  options: { progressIntervalMs?: number; onRepeated?: (groupId: string) => void } = {},
): SlackPresenter {
  return new SlackPresenter({
    store: parts.runtime.store,
    writer: parts.writer,
    counter: { bump: options.onRepeated ?? (() => {}) },
    decisions: slackDecisions(parts, ['U0APPROVER', 'S0ONCALL']),
    approverIds: ['U0APPROVER', 'S0ONCALL'],
    progressIntervalMs: options.progressIntervalMs ?? 1_500,
    model: null,
    metrics: parts.metrics,
    logger: parts.logger,
  });
}

/** Where an incident is presented in Slack now, from the store. */
export async function incidentThread(
  parts: SlackParts,
  incidentId: string,
): Promise<SlackThread | null> {
  return threadOf((await parts.runtime.store.incidents.get(incidentId))?.presentation);
}

/** Polls until `predicate` holds; for state outside the fake (store rows, counters). */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A promise and the function that settles it: a backend call that waits until the test says so. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
