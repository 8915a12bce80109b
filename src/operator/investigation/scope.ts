import type { PlannerDraft } from '../../domain/brief.ts';
import type { ServerInfo } from '../../tools/backends.ts';

/** How many servers one investigation covers; an alert naming fifty hosts gets the first ten. */
export const MAX_SCOPE = 10;

export type Scope = {
  servers: ServerInfo[];
  /** Names in the report that look like server ids but match nothing known. */
  unknown: string[];
  /** Set when the scope was cut to MAX_SCOPE. */
  truncatedFrom: number | null;
  /** Everything the inventory knows, for "known: …" answers. */
  known: readonly ServerInfo[];
};

/** Something shaped like a host name: letters and digits joined by dashes/dots, ending in a digit group. */
const SERVER_LIKE = /^[a-z][a-z0-9]*([-.][a-z0-9]+)*[-.]?\d+[a-z0-9]*$/i;

function tokens(report: string): string[] {
  return (report.match(/[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]/g) ?? []).map((t) =>
    t.replace(/\.+$/, ''),
  );
}

/**
 * Finds the servers a report names: by server id, or by service name (all of its servers).
 * A name that looks like a server but is not known is reported, never guessed at.
 */
export function resolveScope(report: string, known: readonly ServerInfo[]): Scope {
  const byId = new Map(known.map((s) => [s.id.toLowerCase(), s]));
  const byService = new Map<string, ServerInfo[]>();
  for (const s of known) {
    if (!s.service) continue;
    const key = s.service.toLowerCase();
    byService.set(key, [...(byService.get(key) ?? []), s]);
  }

  const found = new Map<string, ServerInfo>();
  const unknown: string[] = [];
  for (const token of tokens(report)) {
    const key = token.toLowerCase();
    const server = byId.get(key);
    if (server) {
      found.set(server.id, server);
      continue;
    }
    const service = byService.get(key);
    if (service) {
      for (const s of service) found.set(s.id, s);
      continue;
    }
    if (
      SERVER_LIKE.test(token) &&
      /[a-z]/i.test(token) &&
      /-/.test(token) &&
      !unknown.includes(token)
    ) {
      unknown.push(token);
    }
  }

  const servers = [...found.values()];
  return {
    servers: servers.slice(0, MAX_SCOPE),
    unknown,
    truncatedFrom: servers.length > MAX_SCOPE ? servers.length : null,
    known,
  };
}

/** "a, b, c and 12 more": a long inventory cut to a readable list. */
export function listKnown(known: readonly ServerInfo[], max = 20): string {
  const names = known.map((s) => s.id).sort();
  const more = names.length > max ? ` and ${names.length - max} more` : '';
  return `${names.slice(0, max).join(', ')}${more}`;
}

/** What to tell a user whose report names no known server: never a guess. */
export function describeOutOfScope(scope: Scope): string {
  const which = scope.unknown.map((u) => `"${u}"`).join(', ');
  return scope.unknown.length
    ? `no server named ${which}; known: ${listKnown(scope.known)}`
    : `the report names no known server or service; known: ${listKnown(scope.known)}`;
}

/** The draft for a report that names nothing known: say so plainly and do nothing. */
export function outOfScopeDraft(scope: Scope): PlannerDraft {
  const what = describeOutOfScope(scope);
  return {
    title: scope.unknown.length
      ? `Unknown server: ${scope.unknown.join(', ')}`.slice(0, 150)
      : 'No server named in the report',
    summary: `Nothing investigated: ${what}.`,
    category: 'unknown',
    severity: 'sev3',
    action: 'monitor',
    restartServer: null,
    facts: [],
    hypotheses: [],
    safeChecks: [],
    nextActions: ['Re-run triage naming a known server id or service'],
    impact: `Unknown: ${what}`,
  };
}
