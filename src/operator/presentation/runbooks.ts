import type { RunbookLink } from '../../domain/brief.ts';
import type { Runbook, ServerInfo } from '../../tools/backends.ts';
import type { Signal } from '../decision/signals/index.ts';

export type ChosenRunbook = { link: RunbookLink; checks: readonly string[] };

/**
 * The runbook that fits an incident best, from what the catalog gives its servers: for the server
 * that carries the problem (the first with an abnormal signal, else the first in scope), a runbook
 * of its service written for one of its signals, then one written for that signal catalog-wide,
 * then its service's general runbook. Signals are tried in the order they were found.
 */
export function chooseRunbook(
  servers: readonly ServerInfo[],
  abnormal: readonly Signal[],
): ChosenRunbook | null {
  const carrying = servers.find((s) => abnormal.some((sig) => sig.subject === s.id));
  const ordered = carrying ? [carrying, ...servers.filter((s) => s !== carrying)] : servers;
  for (const server of ordered) {
    const runbooks = server.runbooks ?? [];
    if (runbooks.length === 0) continue;
    const mine = abnormal.filter(
      (sig) => sig.subject === server.id || sig.subject === server.service,
    );
    const ids = [...new Set((mine.length ? mine : abnormal).map((sig) => sig.id))];
    const pick = (r: Runbook, signal: string | null): ChosenRunbook => ({
      link: { url: r.url, title: r.title, service: r.service, signal },
      checks: r.checks,
    });
    for (const id of ids) {
      const own = runbooks.find((r) => r.service !== null && r.signals.includes(id));
      if (own) return pick(own, id);
      const shared = runbooks.find((r) => r.service === null && r.signals.includes(id));
      if (shared) return pick(shared, id);
    }
    const general = runbooks.find((r) => r.service !== null && r.signals.length === 0);
    if (general) return pick(general, null);
  }
  return null;
}
