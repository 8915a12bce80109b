import type { Clock } from '../../domain/clock.ts';
import type { Store } from '../../store/ports.ts';
import { RESTART_BLOCKING, SIGNAL_LABELS, type Signal } from '../decision/signals/index.ts';
import type { FoldCheck, Folded } from '../investigation/investigate.ts';

/**
 * Storms folded by cause. Alerts about several servers that arrive close together and share a
 * cause — one failing dependency (host:port), one recent change, one signature — become one parent
 * incident: the first to find the cause is the parent, the others fold into it. Only causes a
 * restart cannot fix fold (the guard's blocking signals), so folding never hides a restart that
 * would have helped; two different causes never fold together.
 */

export type Cause = {
  /** What incidents are folded by: `dependency:<host:port>`, `change:<service>:<what>`, `signature:<id>:<line>`. */
  key: string;
  /** In words, for the parent's summary: "connection refused to elastic-cluster-main:9200". */
  description: string;
  kind: 'dependency' | 'change' | 'signature';
};

const DEPENDENCY_SIGNALS = new Set(['dependency_failure', 'dns_failure', 'tls_failure']);

/** host:port in a line, the way the brief's dependencies are read (schemes aside). */
const TARGET = /\b([a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*):(\d{2,5})\b/gi;

function targetIn(line: string): string | null {
  for (const m of line.matchAll(TARGET)) {
    if (m[1] && !/^(https?|tcp|udp|grpc)$/i.test(m[1])) return `${m[1].toLowerCase()}:${m[2]}`;
  }
  return null;
}

function failureWords(signal: Signal, line: string, target: string): string {
  if (signal.id === 'dns_failure') return `DNS failures resolving ${target}`;
  if (signal.id === 'tls_failure') return `TLS errors talking to ${target}`;
  if (/connection refused|ECONNREFUSED/i.test(line)) return `connection refused to ${target}`;
  if (/timed?\s?out|ETIMEDOUT|deadline exceeded/i.test(line)) return `timeouts to ${target}`;
  if (/reset|ECONNRESET|broken pipe/i.test(line)) return `connections reset by ${target}`;
  if (/unreachable|no route|EHOSTUNREACH/i.test(line)) return `${target} unreachable`;
  return `${SIGNAL_LABELS[signal.id]} to ${target}`;
}

/** A line with what varies between servers taken out: numbers, hex ids, the servers' own names. */
function signature(line: string, servers: readonly string[]): string {
  let out = line.toLowerCase();
  for (const s of servers) out = out.split(s.toLowerCase()).join('<server>');
  return out
    .replace(/^\s*\[?(?:trace|debug|info|warn(?:ing)?|error|err|critical|crit|fatal)\]?:?\s*/i, '')
    .replace(/\b[0-9a-f]{8,}\b/g, '#')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

/**
 * The cause the evidence of these servers shows, if it is one that folds: a failing dependency
 * first, then a change, then any other blocking signature. Null for everything a restart may fix.
 */
export function causeOf(signals: readonly Signal[], servers: readonly string[]): Cause | null {
  const mine = signals.filter((s) => RESTART_BLOCKING.has(s.id));
  for (const s of mine) {
    if (!DEPENDENCY_SIGNALS.has(s.id) || !servers.includes(s.subject)) continue;
    for (const line of s.lines ?? [s.detail]) {
      const target = targetIn(line);
      if (target)
        return {
          key: `dependency:${target}`,
          description: failureWords(s, line, target),
          kind: 'dependency',
        };
    }
  }
  const change = mine.find((s) => s.id === 'bad_deploy');
  if (change)
    return {
      key: `change:${change.subject.toLowerCase()}:${signature(change.detail, servers)}`,
      description: `a bad change to ${change.subject}: ${change.detail.slice(0, 120)}`,
      kind: 'change',
    };
  const other = mine.find((s) => servers.includes(s.subject));
  if (other)
    return {
      key: `signature:${other.id}:${signature(other.detail, servers)}`,
      description: `${SIGNAL_LABELS[other.id]}: "${other.detail.slice(0, 120)}"`,
      kind: 'signature',
    };
  return null;
}

export type FoldingDeps = {
  store: Store;
  /** Incidents of one cause fold while their storm is younger than this. */
  windowMs: number;
  clock: Clock;
};

/**
 * Puts an investigated alert into the storm of its cause, atomically in the store (so replicas and
 * restarts agree on one parent), and records the link on both incidents once.
 */
export class Folding {
  private readonly deps: FoldingDeps;

  constructor(deps: FoldingDeps) {
    this.deps = deps;
  }

  readonly check: FoldCheck = async ({ incidentId, servers, signals }) => {
    const cause = causeOf(signals, servers);
    if (!cause) return null;
    const { store, clock } = this.deps;
    const now = clock.now();
    const { storm } = await store.coordination.joinStorm({
      cause: cause.key,
      incidentId,
      servers,
      now,
      windowMs: this.deps.windowMs,
    });
    if (storm.parentIncidentId === incidentId) return null;
    const folded: Folded = {
      parentId: storm.parentIncidentId,
      cause: cause.description,
      causeKey: cause.key,
    };
    // A retried investigation has linked already.
    const audit = await store.audit.list({ incidentId });
    if (audit.some((e) => e.event === 'incident.linked' && e.details.relation === 'folded_into'))
      return folded;
    const at = now.toISOString();
    await store.audit.append({
      at,
      incident_id: incidentId,
      event: 'incident.linked',
      actor: 'operator',
      details: {
        linked_incident_id: storm.parentIncidentId,
        relation: 'folded_into',
        reason: cause.description,
        servers: [...servers],
      },
    });
    await store.audit.append({
      at,
      incident_id: storm.parentIncidentId,
      event: 'incident.linked',
      actor: 'operator',
      details: {
        linked_incident_id: incidentId,
        relation: 'folded_from',
        reason: cause.description,
        servers: [...servers],
      },
    });
    return folded;
  };
}
