import type { Evidence, EvidenceData } from '../domain/evidence.ts';
import { ToolName } from '../domain/vocabulary.ts';
import type { Backends, HealthSample, RestartContext, RestartResult } from './backends.ts';
import { TOOL_LIMITS, toolArguments } from './definitions.ts';
import { describeError, ToolError } from './errors.ts';
import { redact, redactLines } from './redact.ts';
import type { ToolSession } from './session.ts';

export type ToolOutcome =
  | { ok: true; content: Record<string, unknown>; evidence: Evidence | null }
  | { ok: false; error: string };

export type ToolboxOptions = {
  /** Per-call bound on any backend; a hung Prometheus must not hang the investigation. */
  toolTimeoutMs: number;
  now?: () => Date;
};

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

function healthSummary(serverId: string, h: HealthSample): string {
  return `${serverId}: cpu ${h.cpu}%, memory ${h.memory}%, status ${h.status}`;
}

function logsSummary(serverId: string, lines: string[]): string {
  if (lines.length === 0) return `${serverId}: no log lines returned`;
  const count = (level: RegExp) => lines.filter((l) => level.test(l)).length;
  const errors = count(/\b(ERROR|FATAL)\b/i);
  const critical = count(/\bCRIT(ICAL)?\b/i);
  const warnings = count(/\bWARN(ING)?\b/i);
  const parts = [
    critical && `${critical} critical`,
    errors && `${errors} error`,
    warnings && `${warnings} warning`,
  ].filter(Boolean);
  return `${serverId}: ${lines.length} recent log lines${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/**
 * The tool layer: validates arguments, calls a backend within bounds, redacts, and turns every
 * answer — failures included — into numbered evidence a brief can cite.
 */
export class Toolbox {
  private readonly backends: Backends;
  private readonly options: ToolboxOptions;
  private readonly now: () => Date;

  constructor(backends: Backends, options: ToolboxOptions) {
    this.backends = backends;
    this.options = options;
    this.now = options.now ?? (() => new Date());
  }

  get inventory() {
    return this.backends.inventory;
  }

  private async gather(
    session: ToolSession,
    tool: ToolName,
    subject: string,
    backend: string,
    by: 'prefetch' | 'planner',
    args: unknown,
    fetch: () => Promise<{ summary: string; data: EvidenceData; link?: string | undefined }>,
  ): Promise<Evidence> {
    let result: { summary: string; data: EvidenceData; link?: string | undefined };
    try {
      result = await fetch();
    } catch (error) {
      // A backend's error can quote a connection string or a token; it reaches the planner and Slack.
      const message = redact(describeError(error));
      result = {
        summary: `${tool}(${subject}) failed: ${message}`,
        data: { kind: 'error', message },
      };
    }
    const source = {
      tool,
      subject,
      backend,
      at: this.now().toISOString(),
      ...(result.link ? { link: result.link } : {}),
    };
    const evidence = session.addEvidence(source, result.summary, result.data);
    session.record({ tool, args, ok: result.data.kind !== 'error', evidenceId: evidence.id, by });
    return evidence;
  }

  getHealth(
    session: ToolSession,
    serverId: string,
    by: 'prefetch' | 'planner',
    signal?: AbortSignal,
  ) {
    const backend = this.backends.health;
    return this.gather(
      session,
      'get_server_health',
      serverId,
      backend.name,
      by,
      { server_id: serverId },
      async () => {
        const h = await bounded(
          `get_server_health(${serverId})`,
          this.options.toolTimeoutMs,
          signal,
          (s) => backend.getHealth(serverId, s),
        );
        return {
          summary: healthSummary(serverId, h),
          data: { kind: 'health', cpu: h.cpu, memory: h.memory, status: h.status },
          link: h.link,
        };
      },
    );
  }

  fetchLogs(
    session: ToolSession,
    serverId: string,
    lines: number,
    by: 'prefetch' | 'planner',
    signal?: AbortSignal,
  ) {
    const backend = this.backends.logs;
    const wanted = Math.min(Math.max(1, lines), TOOL_LIMITS.maxLogLines);
    const args = { server_id: serverId, lines: wanted };
    return this.gather(session, 'fetch_recent_logs', serverId, backend.name, by, args, async () => {
      const sample = await bounded(
        `fetch_recent_logs(${serverId})`,
        this.options.toolTimeoutMs,
        signal,
        // One line more than wanted tells whether older lines exist (`truncated`).
        (s) => backend.fetchLogs(serverId, wanted + 1, s),
      );
      // Clip, then redact: a secret cut at the clip point is still masked, key blocks span lines.
      const redacted = redactLines(sample.lines.slice(-wanted), {
        maxLineLength: TOOL_LIMITS.maxLogLineLength,
      });
      return {
        summary: logsSummary(serverId, redacted),
        data: { kind: 'logs', lines: redacted, truncated: sample.lines.length > wanted },
        link: sample.link,
      };
    });
  }

  listChanges(
    session: ToolSession,
    service: string,
    by: 'prefetch' | 'planner',
    signal?: AbortSignal,
  ) {
    const backend = this.backends.changes;
    return this.gather(
      session,
      'list_recent_changes',
      service,
      backend.name,
      by,
      { service },
      async () => {
        const changes = await bounded(
          `list_recent_changes(${service})`,
          this.options.toolTimeoutMs,
          signal,
          (s) => backend.listChanges(service, s),
        );
        const summary =
          changes.length === 0
            ? `${service}: no recorded changes`
            : `${service}: ${changes.length} recent change${changes.length > 1 ? 's' : ''}, newest "${redact(changes[0]?.description ?? '')}" at ${changes[0]?.at}`;
        return {
          summary,
          data: {
            kind: 'changes',
            changes: changes.map((c) => ({ ...c, description: redact(c.description) })),
          },
        };
      },
    );
  }

  /**
   * A planner's tool call by name with raw arguments. Read tools produce evidence; the two gated
   * tools only record an intent for the policy guard.
   */
  async call(
    session: ToolSession,
    name: string,
    rawArgs: unknown,
    signal?: AbortSignal,
  ): Promise<ToolOutcome> {
    const tool = ToolName.safeParse(name);
    if (!tool.success) {
      session.record({ tool: name, args: rawArgs, ok: false, evidenceId: null, by: 'planner' });
      return {
        ok: false,
        error: `unknown tool "${name}"; available: ${ToolName.options.join(', ')}`,
      };
    }
    const parsed = toolArguments[tool.data].safeParse(rawArgs);
    if (!parsed.success) {
      session.record({
        tool: tool.data,
        args: rawArgs,
        ok: false,
        evidenceId: null,
        by: 'planner',
      });
      const problems = parsed.error.issues.map(
        (i) => `${i.path.join('.') || 'arguments'}: ${i.message}`,
      );
      return { ok: false, error: `invalid arguments for ${tool.data}: ${problems.join('; ')}` };
    }
    const toContent = (e: Evidence): ToolOutcome =>
      e.data.kind === 'error'
        ? { ok: false, error: `${e.summary} (evidence ${e.id})` }
        : { ok: true, content: { evidence_id: e.id, ...e.data }, evidence: e };

    switch (tool.data) {
      case 'get_server_health': {
        const args = toolArguments.get_server_health.parse(rawArgs);
        return toContent(await this.getHealth(session, args.server_id, 'planner', signal));
      }
      case 'fetch_recent_logs': {
        const args = toolArguments.fetch_recent_logs.parse(rawArgs);
        return toContent(
          await this.fetchLogs(session, args.server_id, args.lines, 'planner', signal),
        );
      }
      case 'list_recent_changes': {
        const args = toolArguments.list_recent_changes.parse(rawArgs);
        return toContent(await this.listChanges(session, args.service, 'planner', signal));
      }
      case 'restart_service': {
        const args = toolArguments.restart_service.parse(rawArgs);
        session.record({
          tool: 'restart_service',
          args,
          ok: true,
          evidenceId: null,
          by: 'planner',
        });
        session.restartIntents.push({ serverId: args.server_id, reason: args.reason ?? null });
        return {
          ok: true,
          content: {
            status: 'proposal_recorded',
            note: `A restart of ${args.server_id} is proposed, NOT executed. The policy guard checks it and an authorized human must approve it. Do not say it was restarted.`,
          },
          evidence: null,
        };
      }
      case 'escalate_to_engineer': {
        const args = toolArguments.escalate_to_engineer.parse(rawArgs);
        if (!session.hasEvidence()) {
          session.record({
            tool: 'escalate_to_engineer',
            args,
            ok: false,
            evidenceId: null,
            by: 'planner',
          });
          return {
            ok: false,
            error:
              'refused: no evidence has been gathered. Call get_server_health / fetch_recent_logs first; an escalation must carry evidence.',
          };
        }
        session.record({
          tool: 'escalate_to_engineer',
          args,
          ok: true,
          evidenceId: null,
          by: 'planner',
        });
        session.escalationIntents.push({ summary: args.summary, reason: args.reason ?? null });
        return {
          ok: true,
          content: {
            status: 'escalation_requested',
            note: 'The escalation package (impact, timeline, evidence, ownership, actions taken) is assembled from the evidence and sent with the brief.',
          },
          evidence: null,
        };
      }
    }
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

  /** A health reading outside any investigation, for verifying a restart. */
  checkHealth(serverId: string, signal?: AbortSignal): Promise<HealthSample> {
    const backend = this.backends.health;
    return bounded(`get_server_health(${serverId})`, this.options.toolTimeoutMs, signal, (s) =>
      backend.getHealth(serverId, s),
    );
  }
}
