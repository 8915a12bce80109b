import type { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import { describeError } from '../domain/errors.ts';
import type { Evidence } from '../domain/evidence.ts';
import type {
  Backends,
  HealthSample,
  RestartContext,
  RestartResult,
  RestartStatus,
} from './backends.ts';
import { ToolError } from './errors.ts';
import { redact } from './redact.ts';
import { findTool, TOOL_SPECS, ToolName, type ToolSpec } from './registry.ts';
import type { Intent, ToolSession } from './session.ts';
import type { Finding, ReadTool } from './tool.ts';

export type ToolOutcome =
  | { ok: true; content: Record<string, unknown>; evidence: Evidence | null }
  | { ok: false; error: string };

export type ToolboxOptions = {
  /** Per-call bound on any backend; a hung Prometheus must not hang the investigation. */
  toolTimeoutMs: number;
  clock: Clock;
};

/** Who asked: the operator before planning, or a planner's tool call. */
export type CallOrigin = 'prefetch' | 'planner';

/** Runs `work` with a timeout and the caller's signal, even when the backend ignores signals. */
async function bounded<T>(
  what: string,
  timeoutMs: number,
  parent: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = parent ? AbortSignal.any([parent, timeout]) : timeout;
  if (signal.aborted)
    throw new ToolError('timeout', `${what} was not started: the investigation ran out of time`);
  return await new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(
        timeout.aborted
          ? new ToolError('timeout', `${what} timed out after ${timeoutMs} ms`)
          : new ToolError('timeout', `${what} was cancelled: the investigation ran out of time`),
      );
    signal.addEventListener('abort', onAbort, { once: true });
    work(signal)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function problemsOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
}

/**
 * Runs declared tools: validates arguments, calls a read tool's backend within bounds, redacts,
 * and turns every answer — failures included — into numbered evidence a brief can cite. Gated
 * tools (proposal, escalation) only record an intent for the policy guard.
 */
export class Toolbox {
  private readonly backends: Backends;
  private readonly options: ToolboxOptions;
  private readonly clock: Clock;

  constructor(backends: Backends, options: ToolboxOptions) {
    this.backends = backends;
    this.options = options;
    this.clock = options.clock;
  }

  get inventory() {
    return this.backends.inventory;
  }

  /** The tools a model is offered for an incident about these servers. */
  offeredTools(serverIds: readonly string[]): readonly ToolSpec[] {
    const workloads = serverIds.some((id) => this.isWorkload(id));
    return TOOL_SPECS.filter((spec) => workloads || findTool(spec.name)?.needs !== 'kubernetes');
  }

  /** Whether a server is a Kubernetes workload the bot can describe (no API call). */
  isWorkload(serverId: string): boolean {
    return (this.backends.kubernetes?.workloadOf(serverId) ?? null) !== null;
  }

  /**
   * Runs a read tool with arguments the caller wrote (the prefetch): the evidence it produced,
   * an error included. Arguments a declaration refuses are a bug in the caller, and throw.
   */
  async gather<Args extends z.ZodType>(
    session: ToolSession,
    tool: ReadTool<string, Args>,
    args: z.input<Args>,
    options: { by: CallOrigin; signal?: AbortSignal | undefined },
  ): Promise<Evidence> {
    const parsed = tool.arguments.safeParse(args);
    if (!parsed.success)
      throw new ToolError(
        'invalid_arguments',
        `invalid arguments for ${tool.name}: ${problemsOf(parsed.error)}`,
      );
    return this.read(session, tool, parsed.data, options.by, options.signal);
  }

  private async read<Args extends z.ZodType>(
    session: ToolSession,
    tool: ReadTool<string, Args>,
    args: z.output<Args>,
    by: CallOrigin,
    signal: AbortSignal | undefined,
  ): Promise<Evidence> {
    const subject = tool.subject(args);
    const backend = tool.backend(this.backends);
    const what = `${tool.name}(${subject})`;
    let result: Finding;
    try {
      result = await bounded(what, this.options.toolTimeoutMs, signal, (s) =>
        tool.run(args, { backend, signal: s }),
      );
    } catch (error) {
      // A backend's error can quote a connection string or a token; it reaches the planner and Slack.
      const message = redact(describeError(error));
      result = { summary: `${what} failed: ${message}`, data: { kind: 'error', message } };
    }
    const source = {
      tool: tool.name,
      subject,
      backend: backend.name,
      at: this.clock.now().toISOString(),
      ...(result.link ? { link: result.link } : {}),
    };
    const evidence = session.addEvidence(source, result.summary, result.data);
    session.record({
      tool: tool.name,
      args,
      ok: result.data.kind !== 'error',
      evidenceId: evidence.id,
      by,
    });
    return evidence;
  }

  /**
   * A planner's tool call by name with raw arguments. Read tools produce evidence; gated tools
   * only record an intent for the policy guard. Every call is recorded, refused ones included.
   */
  async call(
    session: ToolSession,
    name: string,
    rawArgs: unknown,
    signal?: AbortSignal,
  ): Promise<ToolOutcome> {
    const tool = findTool(name);
    if (!tool) {
      session.record({ tool: name, args: rawArgs, ok: false, evidenceId: null, by: 'planner' });
      return {
        ok: false,
        error: `unknown tool "${name}"; available: ${ToolName.options.join(', ')}`,
      };
    }
    const parsed = tool.arguments.safeParse(rawArgs);
    if (!parsed.success) {
      session.record({ tool: name, args: rawArgs, ok: false, evidenceId: null, by: 'planner' });
      return { ok: false, error: `invalid arguments for ${name}: ${problemsOf(parsed.error)}` };
    }
    const args = parsed.data;
    if (tool.gate === 'read') {
      const e = await this.read(session, tool, args, 'planner', signal);
      return e.data.kind === 'error'
        ? { ok: false, error: `${e.summary} (evidence ${e.id})` }
        : { ok: true, content: { evidence_id: e.id, ...e.data }, evidence: e };
    }
    const base = { tool: name, args, evidenceId: null, by: 'planner' } as const;
    let answer:
      | { ok: false; error: string }
      | { ok: true; content: Record<string, unknown>; intent: Intent };
    if (tool.gate === 'proposal') {
      const a = tool.run(args, { session });
      answer = a.ok ? { ...a, intent: { gate: 'proposal', wish: a.intent } } : a;
    } else {
      const a = tool.run(args, { session });
      answer = a.ok ? { ...a, intent: { gate: 'escalation', wish: a.intent } } : a;
    }
    if (!answer.ok) {
      session.record({ ...base, ok: false });
      return answer;
    }
    session.record({ ...base, ok: true, intent: answer.intent });
    return { ok: true, content: answer.content, evidence: null };
  }

  /** The approval path's restart. Nothing else in the codebase calls the restarter. */
  executeRestart(
    serverId: string,
    context: RestartContext = {},
    signal?: AbortSignal,
  ): Promise<RestartResult> {
    const restarter = this.backends.restarter;
    return bounded(`restart_service(${serverId})`, this.options.toolTimeoutMs, signal, (s) =>
      restarter.restart(serverId, s, context),
    );
  }

  /**
   * What the restarter knows of the restart with idempotency key `key` (the proposal id), for the
   * reconciler. Never restarts anything; any failure, or a restarter that keeps no trace, is
   * `unknown`.
   */
  async restartStatus(serverId: string, key: string, signal?: AbortSignal): Promise<RestartStatus> {
    const restarter = this.backends.restarter;
    if (!restarter.status)
      return {
        state: 'unknown',
        detail: `the ${restarter.name} restarter keeps no record of restarts to ask`,
      };
    const status = restarter.status.bind(restarter);
    try {
      return await bounded(
        `restart status of ${serverId}`,
        this.options.toolTimeoutMs,
        signal,
        (s) => status(serverId, key, s),
      );
    } catch (error) {
      return { state: 'unknown', detail: redact(describeError(error)) };
    }
  }

  /** A health reading outside any investigation, for verifying a restart. */
  checkHealth(serverId: string, signal?: AbortSignal): Promise<HealthSample> {
    const backend = this.backends.health;
    return bounded(`get_server_health(${serverId})`, this.options.toolTimeoutMs, signal, (s) =>
      backend.getHealth(serverId, s),
    );
  }
}
