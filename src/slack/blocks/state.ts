import type { ContextBlock, KnownBlock } from '@slack/types';
import type { IncidentBrief, IncidentLink } from '../../domain/brief.ts';
import { SLACK_LIMITS } from './limits.ts';
import { esc, escCut, listSome, mention, mrkdwn, slackDate } from './text.ts';

/**
 * Where an incident stands, as one context block under the brief's header: resolved (when, after
 * how long, what ran before), mitigating (a restart ran), a storm's live summary, a link to a
 * folded-into parent or a resolved predecessor, and the servers the scope left out. Empty for a
 * plain open incident. Rendered apart from the rest of the brief so it can change on its own.
 */

/** "14 min", "2 h 5 min", "40 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

/** "✅ Resolved at 10:42 after 14 min — restarted by @x at 10:31". */
export function resolvedLine(brief: IncidentBrief): string | null {
  const r = brief.resolution;
  if (brief.state !== 'resolved' || !r) return null;
  const restart = r.restart
    ? ` — restarted ${esc(r.restart.serverId)} by ${mention(r.restart.by)} at ${slackDate(r.restart.at, 'time')}`
    : '';
  const how = r.via === 'storm' ? ' (every incident of its storm resolved)' : '';
  return `✅ Resolved at ${slackDate(r.at, 'time')} after ${duration(r.afterMs)}${restart}${how}`;
}

/** The servers a storm's parent speaks for: its own and every folded incident's, once each. */
function stormServers(brief: IncidentBrief, folded: readonly IncidentLink[]): string[] {
  return [...new Set([...brief.servers, ...folded.flatMap((l) => l.servers)])];
}

function whatToDo(cause: string): string {
  if (/\S+:\d+\b/.test(cause) || /^DNS failures|^TLS errors/.test(cause))
    return 'escalating the dependency';
  if (/^a bad change/.test(cause)) return 'escalating the change';
  return 'escalating once';
}

/**
 * A storm parent's live summary: "14 servers report connection refused to
 * elastic-cluster-main:9200 — escalating the dependency, not restarting 14 servers".
 */
export function stormLine(brief: IncidentBrief): string | null {
  const folded = (brief.links ?? []).filter((l) => l.relation === 'folded_from');
  const first = folded[0];
  if (!first) return null;
  const servers = stormServers(brief, folded);
  const n = servers.length;
  const noun = n === 1 ? 'server reports' : 'servers report';
  return `🌩️ ${n} ${noun} ${escCut(first.reason, 200)} — ${whatToDo(first.reason)}, not restarting ${n} server${n === 1 ? '' : 's'} (${folded.length + 1} incidents folded into this one: ${esc(listSome(servers, 8))})`;
}

function linkLines(brief: IncidentBrief): string[] {
  const lines: string[] = [];
  for (const l of brief.links ?? []) {
    if (l.relation === 'folded_into')
      lines.push(
        `🔗 Part of ${esc(l.incidentId)}: ${escCut(l.reason, 200)}. That incident escalates for all of them.`,
      );
    if (l.relation === 'recurrence_of')
      lines.push(`🔁 Fired again after ${esc(l.incidentId)} was resolved`);
    if (l.relation === 'recurred_as') lines.push(`🔁 Fired again as ${esc(l.incidentId)}`);
  }
  return lines;
}

function scopeLines(brief: IncidentBrief): string[] {
  const notes = brief.scopeNotes;
  if (!notes) return [];
  const lines: string[] = [];
  if (notes.skipped.length)
    lines.push(
      `⏭️ Not investigated (over the limit of servers per incident): ${esc(listSome(notes.skipped, 10))}`,
    );
  if (notes.context.length)
    lines.push(
      `📎 Context only (named in the alert's description, never restarted): ${esc(listSome(notes.context, 10))}`,
    );
  return lines;
}

/** The state line as text (also for the fallback of a message without blocks). */
export function stateLines(brief: IncidentBrief): string[] {
  const lines: string[] = [];
  const resolved = resolvedLine(brief);
  if (resolved) lines.push(resolved);
  else if (brief.state === 'mitigating' && brief.lastRestart)
    lines.push(
      `🛠️ Mitigating: ${esc(brief.lastRestart.serverId)} restarted by ${mention(brief.lastRestart.by)} at ${slackDate(brief.lastRestart.at, 'time')}`,
    );
  const storm = stormLine(brief);
  if (storm) lines.push(storm);
  lines.push(...linkLines(brief), ...scopeLines(brief));
  return lines;
}

/** The state as blocks for the brief, right under its header; none for a plain open incident. */
export function stateBlocks(brief: IncidentBrief): KnownBlock[] {
  const lines = stateLines(brief);
  if (lines.length === 0) return [];
  const block: ContextBlock = {
    type: 'context',
    elements: [mrkdwn(lines.join('\n'), SLACK_LIMITS.contextElementText)],
  };
  return [block];
}
