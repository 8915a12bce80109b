import type { Config } from './config/env.ts';
import { ApprovalService, type ApproverPolicy } from './operator/approval.ts';
import { Operator } from './operator/investigate.ts';
import { OpenAiPlanner } from './operator/planners/openai.ts';
import type { Planner } from './operator/planners/planner.ts';
import { RulesPlanner } from './operator/planners/rules/planner.ts';
import { PostgresConnectError, PostgresStore } from './store/postgres.ts';
import { SqliteStore } from './store/sqlite.ts';
import type { Store } from './store/store.ts';
import type { Backends, Escalator } from './tools/backends.ts';
import { CompositeEscalator } from './tools/composite-escalator.ts';
import { LocalEscalator } from './tools/local-escalator.ts';
import {
  type ChangesWebhookHandler,
  createBackends,
  type SelectedBackends,
} from './tools/select.ts';
import { Toolbox } from './tools/toolbox.ts';

/** Everything one process needs, wired from configuration. Tests pass overrides instead of mocking. */
export type Runtime = {
  config: Config;
  store: Store;
  backends: Backends;
  /** The `POST /changes` handler when CHANGES_WEBHOOK_TOKEN is set, for the HTTP server to mount. */
  changesWebhook: ChangesWebhookHandler | null;
  toolbox: Toolbox;
  planner: Planner;
  operator: Operator;
  approvals: ApprovalService;
  close(): Promise<void>;
};

export type RuntimeOverrides = {
  store?: Store;
  backends?: Backends;
  planner?: Planner;
  /** The presenter's own escalation destination (the Slack channel); configured ones join it. */
  escalator?: Escalator;
  approvers: ApproverPolicy;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
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

export function createPlanner(config: Config): Planner {
  if (!config.OPENAI_API_KEY) return new RulesPlanner();
  return new OpenAiPlanner({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    model: config.OPENAI_MODEL,
    maxTurns: config.PLANNER_MAX_TURNS,
    callTimeoutMs: config.PLANNER_CALL_TIMEOUT_MS,
    toolResultMaxChars: config.TOOL_RESULT_MAX_CHARS,
    maxConcurrentCalls: config.MODEL_CONCURRENCY,
  });
}

export async function createRuntime(config: Config, overrides: RuntimeOverrides): Promise<Runtime> {
  const store = overrides.store ?? (await openStore(config));
  const selected: Pick<SelectedBackends, 'backends' | 'escalators' | 'changesWebhook'> =
    overrides.backends
      ? { backends: overrides.backends, escalators: [], changesWebhook: null }
      : await createBackends(config, overrides.now ? { now: overrides.now } : {});
  const { backends } = selected;
  const toolbox = new Toolbox(backends, {
    toolTimeoutMs: config.TOOL_TIMEOUT_MS,
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  const planner = overrides.planner ?? createPlanner(config);
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
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  const approvals = new ApprovalService({
    store,
    toolbox,
    escalator,
    approvers: overrides.approvers,
    budget: policy,
    verify: {
      attempts: config.VERIFY_ATTEMPTS,
      intervalMs: backends.health.settlesInstantly ? 0 : config.VERIFY_INTERVAL_MS,
      thresholdPercent: config.RESTART_THRESHOLD_PERCENT,
    },
    ...(overrides.now ? { now: overrides.now } : {}),
    ...(overrides.sleep ? { sleep: overrides.sleep } : {}),
  });
  return {
    config,
    store,
    backends,
    changesWebhook: selected.changesWebhook,
    toolbox,
    planner,
    operator,
    approvals,
    close: () => store.close(),
  };
}
