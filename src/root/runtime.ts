import type { Config, EnvName } from '../config/env.ts';
import { type Clock, systemClock } from '../domain/clock.ts';
import {
  ApprovalService,
  type ApproverPolicy,
  type VerifySettings,
} from '../operator/approval/approval.ts';
import { staleAfterMs } from '../operator/approval/reconciler.ts';
import { FollowUpModel } from '../operator/conversation/model.ts';
import { ModelPlanner } from '../operator/decision/planners/model/loop.ts';
import type { Planner } from '../operator/decision/planners/planner.ts';
import { RulesPlanner } from '../operator/decision/planners/rules/planner.ts';
import { Operator } from '../operator/investigation/investigate.ts';
import { openAiChatModelFrom } from '../providers/openai/config.ts';
import type { Store } from '../store/ports.ts';
import { PostgresConnectError, PostgresStore } from '../store/postgres/index.ts';
import { SqliteStore } from '../store/sqlite/index.ts';
import type { Backends, Escalator } from '../tools/backends.ts';
import { CompositeEscalator } from '../tools/composite-escalator.ts';
import { LocalEscalator } from '../tools/local-escalator.ts';
import { Toolbox } from '../tools/toolbox.ts';
import { type ChangesWebhookHandler, createBackends, type SelectedBackends } from './backends.ts';
import { readEnvironment } from './environment.ts';

/** Everything one process needs, wired from configuration. Tests pass overrides instead of mocking. */
export type Runtime = {
  config: Config;
  clock: Clock;
  store: Store;
  backends: Backends;
  /** The `POST /changes` handler when CHANGES_WEBHOOK_TOKEN is set, for the HTTP server to mount. */
  changesWebhook: ChangesWebhookHandler | null;
  toolbox: Toolbox;
  planner: Planner;
  operator: Operator;
  approvals: ApprovalService;
  /** Every configured escalation destination, as one: what follow-ups escalate through. */
  escalator: Escalator;
  /** The health re-check after a restart, shared by approvals and the reconciler. */
  verify: VerifySettings;
  /** How long a restart may stay in flight before its replica is presumed gone. */
  restartStaleMs: number;
  /** Answers free follow-up questions when a model is configured; null = the rules answer. */
  followUpModel: FollowUpModel | null;
  close(): Promise<void>;
};

export type RuntimeOverrides = {
  /** The variables backends read beyond Config (routing keys the catalog names, kubeconfig discovery). */
  env?: Readonly<Record<string, string | undefined>>;
  store?: Store;
  backends?: Backends;
  planner?: Planner;
  /** The presenter's own escalation destination (the Slack channel); configured ones join it. */
  escalator?: Escalator;
  approvers: ApproverPolicy;
  clock?: Clock;
  /** The follow-up model (tests script one); default: from the OPENAI_* configuration. */
  followUpModel?: FollowUpModel | null;
};

export async function openStore(config: Config): Promise<Store> {
  if (config.DATABASE_URL) {
    try {
      return await PostgresStore.open(config.DATABASE_URL);
    } catch (error) {
      // A connection failure is the URL's to fix; its message names host and port, never the
      // password, so it is safe to print and log.
      if (error instanceof PostgresConnectError)
        throw new PostgresConnectError(`${error.message}: check DATABASE_URL`);
      throw error;
    }
  }
  return SqliteStore.open({ dataDir: config.DATA_DIR });
}

export function createPlanner(config: Config, clock: Clock = systemClock): Planner {
  const chatModel = openAiChatModelFrom(config, { clock });
  if (!chatModel) return new RulesPlanner();
  return new ModelPlanner({
    chatModel,
    maxTurns: config.PLANNER_MAX_TURNS,
    callTimeoutMs: config.PLANNER_CALL_TIMEOUT_MS,
    toolResultMaxChars: config.TOOL_RESULT_MAX_CHARS,
    maxConcurrentCalls: config.MODEL_CONCURRENCY,
    tools: config.OPENAI_TOOLS,
    clock,
  });
}

/** The model that answers free follow-up questions, when one is configured. */
export function createFollowUpModel(
  config: Config,
  clock: Clock = systemClock,
): FollowUpModel | null {
  const chatModel = openAiChatModelFrom(config, { clock });
  return chatModel
    ? new FollowUpModel({ chatModel, callTimeoutMs: config.PLANNER_CALL_TIMEOUT_MS, clock })
    : null;
}

/** config → store → backends → tools → planner → operator and approvals. */
export async function createRuntime(config: Config, overrides: RuntimeOverrides): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const store = overrides.store ?? (await openStore(config));
  const selected: Pick<SelectedBackends, 'backends' | 'escalators' | 'changesWebhook'> =
    overrides.backends
      ? { backends: overrides.backends, escalators: [], changesWebhook: null }
      : await createBackends(config, { env: overrides.env ?? {}, clock });
  const { backends } = selected;
  const toolbox = new Toolbox(backends, {
    toolTimeoutMs: config.TOOL_TIMEOUT_MS,
    clock,
  });
  const planner = overrides.planner ?? createPlanner(config, clock);
  // Every configured destination gets the escalation: the presenter's (Slack or local) and PagerDuty.
  const destinations = [overrides.escalator ?? new LocalEscalator(), ...selected.escalators];
  const [only] = destinations;
  const escalator = destinations.length === 1 && only ? only : new CompositeEscalator(destinations);
  const policy = {
    thresholdPercent: config.RESTART_THRESHOLD_PERCENT,
    restartBudget: config.RESTART_BUDGET,
    budgetWindowMinutes: config.RESTART_BUDGET_WINDOW_MINUTES,
  };
  const operator = new Operator({
    store,
    toolbox,
    planner,
    escalator,
    settings: {
      policy,
      proposalTtlMinutes: config.PROPOSAL_TTL_MINUTES,
      deadlineMs: config.PLANNER_DEADLINE_MS,
    },
    clock,
  });
  const verify: VerifySettings = {
    attempts: config.VERIFY_ATTEMPTS,
    intervalMs: backends.health.settlesInstantly ? 0 : config.VERIFY_INTERVAL_MS,
    thresholdPercent: config.RESTART_THRESHOLD_PERCENT,
  };
  const restartStaleMs = staleAfterMs(config.JOB_LEASE_SECONDS * 1000, config.TOOL_TIMEOUT_MS);
  const approvals = new ApprovalService({
    store,
    toolbox,
    escalator,
    approvers: overrides.approvers,
    budget: policy,
    rules: { required: config.APPROVALS_REQUIRED, noSelf: config.APPROVAL_NO_SELF },
    storeRetryMs: restartStaleMs,
    verify,
    clock,
  });
  return {
    config,
    clock,
    store,
    backends,
    changesWebhook: selected.changesWebhook,
    toolbox,
    planner,
    operator,
    approvals,
    escalator,
    verify,
    restartStaleMs,
    followUpModel:
      overrides.followUpModel !== undefined
        ? overrides.followUpModel
        : createFollowUpModel(config, clock),
    close: () => store.close(),
  };
}

/** The runtime a command runs on: the environment read once, a command's flags as overrides. */
export async function runtimeFromEnvironment(options: {
  overrides?: Partial<Record<EnvName, string>>;
  approvers: ApproverPolicy;
}): Promise<Runtime> {
  const { env, config } = readEnvironment(options.overrides);
  return createRuntime(config, { env, approvers: options.approvers });
}
