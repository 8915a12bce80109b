import type { ContextBlock, KnownBlock } from '@slack/types';
import type { Outcome, ProgressState } from '../../operator/investigation/progress.ts';
import type { SlackMessage } from './brief.ts';
import { SLACK_LIMITS } from './limits.ts';
import { esc, escCut, listSome, mrkdwn } from './text.ts';

/** The progress message the bot keeps updating while it investigates, rendered from its state. */

const mark = (o: Outcome | undefined) => (o === 'ok' ? '✓' : o === 'failed' ? '✗' : '…');

/** How many servers get a line of their own; MAX_SCOPE is 10, so normally all of them. */
const SERVER_LINES = 10;

function lines(state: ProgressState): string[] {
  if (state.servers === null) return ['🔎 Investigating…'];
  const out: string[] = [];
  const unknown = state.unknown.length ? ` (unknown: ${esc(listSome(state.unknown, 5))})` : '';
  if (state.servers.length === 0) {
    out.push(`🔎 No known server named in the report${unknown}`);
  } else {
    out.push(`🔎 Investigating ${esc(listSome(state.servers, 3))}…${unknown}`);
    for (const server of state.servers.slice(0, SERVER_LINES)) {
      const r = state.reads[server] ?? {};
      out.push(`• ${esc(server)}: health ${mark(r.health)} · logs ${mark(r.logs)}`);
    }
    if (state.servers.length > SERVER_LINES)
      out.push(`• … and ${state.servers.length - SERVER_LINES} more servers`);
    if (state.skipped > 0)
      out.push(
        `⚠️ ${state.skipped} more server${state.skipped === 1 ? '' : 's'} named in the report skipped: one investigation checks ${state.servers.length}`,
      );
    const changes = Object.entries(state.changes);
    if (changes.length)
      out.push(
        `• changes: ${changes
          .slice(0, SERVER_LINES)
          .map(([service, o]) => `${esc(service)} ${mark(o)}`)
          .join(' · ')}`,
      );
  }
  if (state.planner) out.push(`🧠 reasoning (${esc(state.planner)} planner)…`);
  if (state.fallbackReason)
    out.push(`⚠️ model failed (${escCut(state.fallbackReason, 300)}); rules planner takes over`);
  if (state.decided) out.push(`📝 decided: ${esc(state.decided)} — writing the brief…`);
  return out;
}

/** The progress as a message: one section of checklist lines and the incident id once known. */
export function progressMessage(state: ProgressState): SlackMessage {
  const all = lines(state);
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(all.join('\n'), SLACK_LIMITS.sectionText) },
  ];
  if (state.incidentId) {
    const context: ContextBlock = {
      type: 'context',
      elements: [mrkdwn(`incident ${esc(state.incidentId)}`, SLACK_LIMITS.contextElementText)],
    };
    blocks.push(context);
  }
  return { text: all[0] ?? '🔎 Investigating…', blocks };
}
