import type { ServerInfo } from '../../../../tools/backends.ts';
import { fetchRecentLogs } from '../../../../tools/declarations/fetch-recent-logs.ts';
import { getServerHealth } from '../../../../tools/declarations/get-server-health.ts';
import { TOOL_LIMITS } from '../../../../tools/limits.ts';
import { outOfScopeDraft } from '../../../investigation/scope.ts';
import { detectSignals, type Signal } from '../../signals/index.ts';
import {
  type PlanContext,
  type Planner,
  type PlanOutcome,
  reportWithoutModel,
} from '../planner.ts';
import { withMemory } from './memory.ts';
import { type Dependencies, decide } from './verdict.ts';
import { wordDraft } from './wording.ts';

/** At most this many dependencies outside the scope are read, so one noisy log cannot fan out. */
const MAX_FOLLOWED = 3;

/** Host-like words of a line: `shop-db-01:5432` and `shop-db-01.prod.svc` both name shop-db-01. */
function namesIn(line: string): string[] {
  return (line.match(/[A-Za-z0-9][A-Za-z0-9._-]*/g) ?? []).flatMap((t) => {
    const word = t.replace(/[.]+$/, '').toLowerCase();
    const label = word.split('.')[0] ?? word;
    return label === word ? [word] : [word, label];
  });
}

/**
 * For each server in scope that cannot reach a dependency, the known servers its failing lines
 * name (by server id, or every server of a named service). Only dependency and DNS failure lines
 * are read for names: a log line asking for something ("please restart db-01") names nothing.
 */
export function dependenciesNamed(
  signals: readonly Signal[],
  scope: readonly ServerInfo[],
  known: readonly ServerInfo[],
): Map<string, ServerInfo[]> {
  const byId = new Map(known.map((s) => [s.id.toLowerCase(), s]));
  const byService = new Map<string, ServerInfo[]>();
  for (const s of known)
    if (s.service)
      byService.set(s.service.toLowerCase(), [
        ...(byService.get(s.service.toLowerCase()) ?? []),
        s,
      ]);
  const found = new Map<string, ServerInfo[]>();
  for (const victim of scope) {
    const failing = signals.filter(
      (s) => s.subject === victim.id && (s.id === 'dependency_failure' || s.id === 'dns_failure'),
    );
    const names = new Set(failing.flatMap((s) => (s.lines ?? [s.detail]).flatMap(namesIn)));
    const named = new Map<string, ServerInfo>();
    for (const name of names) {
      const servers = byId.has(name) ? [byId.get(name)] : (byService.get(name) ?? []);
      for (const s of servers)
        if (s && s.id !== victim.id && (s.service === null || s.service !== victim.service))
          named.set(s.id, s);
    }
    if (named.size) found.set(victim.id, [...named.values()]);
  }
  return found;
}

/**
 * Deterministic triage from the evidence: log signatures and health thresholds, the same every
 * time. The default without a model key, and the fallback whenever the model fails. The verdict
 * (verdict.ts) is decided first, then said in words (wording.ts).
 *
 * When a server in scope cannot reach a dependency that is itself a known server, the rules read
 * that server's health and logs too (read-only tools, like a model's calls): the verdict follows
 * the server that carries the problem. Followed servers never join the scope, so none of them can
 * be restarted.
 */
export class RulesPlanner implements Planner {
  readonly name = 'rules';
  readonly model = null;

  async plan(context: PlanContext): Promise<PlanOutcome> {
    const started = performance.now();
    const { scope, session, report, environment } = context;
    if (scope.servers.length === 0)
      return { draft: outOfScopeDraft(scope), report: reportWithoutModel(0) };

    const named = dependenciesNamed(context.signals, scope.servers, scope.known);
    const inScope = new Set(scope.servers.map((s) => s.id));
    const outside = [
      ...new Map(
        [...named.values()]
          .flat()
          .filter((s) => !inScope.has(s.id))
          .map((s) => [s.id, s]),
      ).values(),
    ].slice(0, MAX_FOLLOWED);
    const before = session.evidence.length;
    let toolCalls = 0;
    const toolsStarted = performance.now();
    for (const server of outside) {
      const by = { by: 'planner', signal: context.signal } as const;
      await context.toolbox.gather(session, getServerHealth, { server_id: server.id }, by);
      await context.toolbox.gather(
        session,
        fetchRecentLogs,
        { server_id: server.id, lines: TOOL_LIMITS.defaultLogLines },
        by,
      );
      toolCalls += 2;
    }
    const toolMs = performance.now() - toolsStarted;
    // Only the new evidence is read for signals; what was prefetched was read once already.
    const followed = session.evidence.slice(before);
    const signals = followed.length
      ? [...context.signals, ...detectSignals(followed, context.signalOptions)]
      : context.signals;
    const dependencies: Dependencies = new Map(
      [...named].map(([victim, servers]) => [victim, servers.map((s) => s.id)]),
    );

    const verdict = decide([...scope.servers, ...outside], session.evidence, signals, {
      thresholdPercent: context.signalOptions.thresholdPercent,
      report,
      environment,
      inScope,
      dependencies,
    });
    const worded = verdict
      ? wordDraft(verdict, { scope, report, environment, evidence: session.evidence }, signals)
      : outOfScopeDraft(scope);
    const draft = verdict ? withMemory(worded, context.memory) : worded;
    return {
      draft,
      report: { ...reportWithoutModel(performance.now() - started), toolCalls, toolMs },
    };
  }
}
