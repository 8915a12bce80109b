import { z } from 'zod';
import type { Config } from '../config/env.ts';
import { modelConfigured } from '../config/model.ts';
import { type Clock, systemClock } from '../domain/clock.ts';
import { describeError } from '../domain/errors.ts';
import {
  type CallOptions,
  type ChatCompletion,
  type ChatModel,
  type ChatRequest,
  ModelCallError,
} from '../operator/decision/planners/model/chat-model.ts';
import { ModelPlanner } from '../operator/decision/planners/model/loop.ts';
import { parseTextToolCalls } from '../operator/decision/planners/model/text-tool-calls.ts';
import type { OpenAiChatModel } from '../providers/openai/chat-model.ts';
import { openAiChatModelFrom } from '../providers/openai/config.ts';
import { readEnvironment } from '../root/environment.ts';
import { EXIT, runMain } from '../root/process.ts';
import { createRuntime } from '../root/runtime.ts';
import { SqliteStore } from '../store/sqlite/index.ts';
import { loadDemoFleet } from '../tools/fleet/load.ts';
import { SimulatedFleet } from '../tools/fleet/simulated.ts';
import { TOOL_SPECS } from '../tools/registry.ts';
import { paint, parseCommandLine } from './common.ts';

export const USAGE = `usage: npm run model-check [-- --json]

Probes the configured model endpoint (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL and the
other OPENAI_* variables) in under a minute: is it reachable, is the key accepted, does the model
exist, do tool calls and structured output work, how long a turn takes and how many tokens a seed
incident costs. Ends with a verdict and the variables to set. Exit 0: the model planner can run.

  --json   print the findings as one JSON object`;

/** The whole check stays under a minute; each probe has its own share. */
export const MODEL_CHECK_LIMITS = {
  totalMs: 55_000,
  listMs: 8_000,
  probeMs: 15_000,
  /** The seed investigation gets what is left, at least this. */
  seedMinMs: 10_000,
} as const;

/** The seed incident of the IT-support agent the check investigates (payment-server-01). */
export const SEED_REPORT = 'The payment-server-01 is extremely slow and timing out.';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';
export type Finding = { check: string; status: Status; detail: string };

export type ModelCheck = {
  endpoint: string;
  model: string;
  findings: Finding[];
  usable: boolean;
  /** Variables to set, name → value, in the order they are printed. */
  set: Array<[string, string]>;
  /** Per model turn of the seed investigation. */
  turns: Array<{ ms: number; promptTokens: number; completionTokens: number }>;
  seed: { answeredBy: string; action: string; fallbackReason: string | null } | null;
};

/** Wraps the chat model to time each turn and count its tokens. */
class RecordingModel implements ChatModel {
  readonly model: string;
  readonly turns: ModelCheck['turns'] = [];
  private readonly inner: ChatModel;

  constructor(inner: ChatModel) {
    this.inner = inner;
    this.model = inner.model;
  }

  async complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion> {
    const started = performance.now();
    const completion = await this.inner.complete(request, options);
    this.turns.push({
      ms: performance.now() - started,
      promptTokens: completion.usage.promptTokens,
      completionTokens: completion.usage.completionTokens,
    });
    return completion;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The probes, in order; stops early when the endpoint cannot be used at all. */
export async function checkModel(
  config: Config,
  report: (finding: Finding) => void,
  clock: Clock = systemClock,
): Promise<ModelCheck> {
  const startedAt = clock.now().getTime();
  const remaining = () => MODEL_CHECK_LIMITS.totalMs - (clock.now().getTime() - startedAt);
  const findings: Finding[] = [];
  const note = (check: string, status: Status, detail: string) => {
    const finding = { check, status, detail };
    findings.push(finding);
    report(finding);
  };
  const chatModel = openAiChatModelFrom(config);
  const base: ModelCheck = {
    endpoint: chatModel?.endpoint ?? '',
    model: config.OPENAI_MODEL,
    findings,
    usable: false,
    set: [],
    turns: [],
    seed: null,
  };
  if (!chatModel) {
    note(
      'configured',
      'fail',
      'no model endpoint is configured: set OPENAI_API_KEY (a hosted API) or OPENAI_BASE_URL (a local server needs no key)',
    );
    return base;
  }
  const set = new Map<string, string>();
  if (config.OPENAI_BASE_URL) set.set('OPENAI_BASE_URL', config.OPENAI_BASE_URL);
  set.set('OPENAI_MODEL', config.OPENAI_MODEL);
  const options = (capMs: number): CallOptions => {
    const timeoutMs = Math.max(1_000, Math.min(capMs, remaining()));
    return { signal: clock.timeout(timeoutMs), timeoutMs };
  };
  const stopsHere = (error: unknown) =>
    error instanceof ModelCallError &&
    (error.kind === 'auth' || error.kind === 'connection' || error.kind === 'timeout');

  // 1. Reachable, key accepted, model listed.
  try {
    const started = performance.now();
    const models = await chatModel.listModels(options(MODEL_CHECK_LIMITS.listMs));
    note(
      'reachable',
      'ok',
      `reachable, key accepted (models listed in ${Math.round(performance.now() - started)} ms)`,
    );
    if (models.includes(config.OPENAI_MODEL))
      note('model', 'ok', `model ${config.OPENAI_MODEL} is listed`);
    else
      note(
        'model',
        'warn',
        `model ${config.OPENAI_MODEL} is not among the ${models.length} listed (${models.slice(0, 5).join(', ') || 'none'}${models.length > 5 ? ', …' : ''}): check OPENAI_MODEL`,
      );
  } catch (error) {
    if (stopsHere(error)) {
      note('reachable', 'fail', describeError(error));
      return { ...base, set: [...set] };
    }
    note(
      'reachable',
      'skip',
      `the endpoint does not list models (${describeError(error)}); checking a turn instead`,
    );
  }

  // 2. One plain turn.
  const ask = (model: ChatModel, request: ChatRequest, capMs = MODEL_CHECK_LIMITS.probeMs) =>
    model.complete(request, options(capMs));
  try {
    const started = performance.now();
    const { turn, usage } = await ask(chatModel, {
      messages: [{ role: 'user', content: 'Reply with the single word OK.' }],
      tools: [],
    });
    note(
      'answers',
      'ok',
      `answers in ${seconds(performance.now() - started)} (${usage.promptTokens} prompt tokens): "${turn.content.trim().slice(0, 40)}"`,
    );
  } catch (error) {
    note('answers', 'fail', describeError(error));
    if (error instanceof ModelCallError && /OPENAI_STREAM=true/.test(error.message))
      set.set('OPENAI_STREAM', 'true');
    return { ...base, set: [...set] };
  }

  // 3. Tool calls.
  let tools: 'auto' | 'off' = config.OPENAI_TOOLS;
  if (tools === 'off') note('tools', 'skip', 'OPENAI_TOOLS=off: investigations run tool-less');
  else {
    const health = TOOL_SPECS.filter((t) => t.name === 'get_server_health');
    try {
      const { turn } = await ask(chatModel, {
        messages: [
          {
            role: 'user',
            content:
              'Call the get_server_health tool with server_id "payment-server-01". Do not answer in text.',
          },
        ],
        tools: health,
      });
      if (turn.toolCalls.some((c) => c.name === 'get_server_health'))
        note('tools', 'ok', 'tool calls work');
      else if (parseTextToolCalls(turn.content, new Set(['get_server_health'])).length)
        note(
          'tools',
          'ok',
          'tool calls arrive written in the text; the planner reads them from there',
        );
      else
        note(
          'tools',
          'warn',
          'the model answered without calling the tool; it may still call tools in an investigation',
        );
    } catch (error) {
      if (error instanceof ModelCallError && error.refused === 'tools') {
        tools = 'off';
        set.set('OPENAI_TOOLS', 'off');
        note(
          'tools',
          'warn',
          `${error.message}: investigations will run tool-less, from the evidence in the prompt`,
        );
      } else note('tools', 'warn', `tool calls failed: ${describeError(error)}`);
    }
  }

  // 4. Structured output, the way OPENAI_STRUCTURED_OUTPUT would send it.
  const mode = config.OPENAI_STRUCTURED_OUTPUT === 'tool' ? 'tool' : 'json_schema';
  if (config.OPENAI_STRUCTURED_OUTPUT === 'off')
    note('structured', 'skip', 'OPENAI_STRUCTURED_OUTPUT=off');
  else {
    const probe = openAiChatModelFrom(config, { structuredOutput: mode }) as OpenAiChatModel;
    const Probe = z.strictObject({ status: z.enum(['ok']) });
    try {
      const { turn } = await ask(probe, {
        messages: [{ role: 'user', content: 'Answer with JSON: {"status": "ok"}.' }],
        tools: [],
        answer: { name: 'probe', description: 'a status', schema: Probe },
      });
      const parsed = Probe.safeParse(JSON.parse(turn.content));
      if (parsed.success) {
        note('structured', 'ok', `structured output works (${mode})`);
        set.set('OPENAI_STRUCTURED_OUTPUT', mode);
      } else
        note(
          'structured',
          'warn',
          `structured output (${mode}) was accepted but not followed: leave OPENAI_STRUCTURED_OUTPUT unset`,
        );
    } catch (error) {
      note(
        'structured',
        'warn',
        `structured output (${mode}) does not work (${describeError(error)}): leave OPENAI_STRUCTURED_OUTPUT unset`,
      );
      if (config.OPENAI_STRUCTURED_OUTPUT) set.set('OPENAI_STRUCTURED_OUTPUT', 'off');
    }
  }

  // 5. The seed incident, through the real planner, on the demo fleet.
  const recording = new RecordingModel(chatModel);
  const deadlineMs = Math.max(MODEL_CHECK_LIMITS.seedMinMs, remaining());
  const fleet = SimulatedFleet.fromFleet(await loadDemoFleet(), systemClock);
  const runtime = await createRuntime(
    { ...config, PLANNER_DEADLINE_MS: deadlineMs, OPENAI_TOOLS: tools },
    {
      store: SqliteStore.open(':memory:'),
      backends: { inventory: fleet, health: fleet, logs: fleet, changes: fleet, restarter: fleet },
      approvers: { isApprover: async () => false, describe: () => '' },
      planner: new ModelPlanner({
        chatModel: recording,
        maxTurns: config.PLANNER_MAX_TURNS,
        callTimeoutMs: Math.min(config.PLANNER_CALL_TIMEOUT_MS, deadlineMs),
        toolResultMaxChars: config.TOOL_RESULT_MAX_CHARS,
        tools,
      }),
    },
  );
  let seed: ModelCheck['seed'] = null;
  try {
    const { brief } = await runtime.operator.investigate({
      report: SEED_REPORT,
      source: 'cli',
      actor: 'cli:model-check',
    });
    const p = brief.planner;
    seed = { answeredBy: p.planner, action: brief.action, fallbackReason: p.fallbackReason };
    const perTurn = recording.turns.map((t) => seconds(t.ms)).join(' + ') || 'no turn';
    const tokens = `${p.tokens.prompt} prompt + ${p.tokens.completion} completion tokens`;
    if (p.planner === 'openai')
      note(
        'seed',
        'ok',
        `seed incident payment-server-01: the model answered in ${p.turns} turn${p.turns === 1 ? '' : 's'} (${perTurn}), ${p.toolCalls} tool call${p.toolCalls === 1 ? '' : 's'}, ${tokens}; action ${brief.action}`,
      );
    else
      note(
        'seed',
        'fail',
        `seed incident payment-server-01: the model did not answer (${p.fallbackReason}); turns ${perTurn}, ${tokens}`,
      );
  } finally {
    await runtime.close();
  }
  const slowest = Math.max(0, ...recording.turns.map((t) => t.ms));
  if (slowest * 2 > config.PLANNER_CALL_TIMEOUT_MS)
    set.set('PLANNER_CALL_TIMEOUT_MS', String(Math.ceil((slowest * 3) / 1000) * 1000));
  return {
    ...base,
    usable: seed?.answeredBy === 'openai',
    set: [...set],
    turns: recording.turns,
    seed,
  };
}

const MARK: Record<Status, string> = { ok: '✓', warn: '!', fail: '✗', skip: '–' };

async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(
    argv,
    {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const { config } = readEnvironment();
  const out = paint(process.stdout);
  const color: Record<Status, Parameters<typeof out>[0]> = {
    ok: 'green',
    warn: 'yellow',
    fail: 'red',
    skip: 'gray',
  };
  if (!values.json && modelConfigured(config))
    process.stdout.write(
      `Model check: ${openAiChatModelFrom(config)?.endpoint} · model ${config.OPENAI_MODEL}\n`,
    );
  const result = await checkModel(config, (f) => {
    if (!values.json)
      process.stdout.write(`  ${out(color[f.status], MARK[f.status])} ${f.detail}\n`);
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return result.usable ? EXIT.ok : EXIT.failure;
  }
  process.stdout.write(
    `\nVerdict: ${result.usable ? out('green', 'usable') : out('red', 'not usable')}${result.usable ? ' — the model planner can run with these settings.' : '.'}\n`,
  );
  if (result.set.length)
    process.stdout.write(
      `Set these (in .env or the environment):\n${result.set.map(([k, v]) => `  ${k}=${v}`).join('\n')}\n`,
    );
  return result.usable ? EXIT.ok : EXIT.failure;
}

if (import.meta.main) await runMain(() => main(process.argv.slice(2)));
