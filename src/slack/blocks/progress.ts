import type { ContextBlock, KnownBlock } from '@slack/types';
import type { Action } from '../../domain/vocabulary.ts';
import type { ProgressEvent } from '../../operator/investigate.ts';
import type { ToolName } from '../../tools/registry.ts';
import type { SlackMessage } from './brief.ts';
import { SLACK_LIMITS } from './limits.ts';
import { esc, escCut, listSome, mrkdwn } from './text.ts';

/**
 * The progress message the bot keeps updating while it investigates. The listener folds each
 * ProgressEvent into a ProgressState with applyProgress and re-renders with progressMessage.
 */

type Outcome = 'ok' | 'failed';

export type ProgressState = {
  incidentId: string | null;
  /** null until the scope is known. */
  servers: readonly string[] | null;
  unknown: readonly string[];
  /** Per server: how its health and logs reads went. */
  reads: Readonly<Record<string, { health?: Outcome; logs?: Outcome }>>;
  /** Per service (or server without one): how its change history read went. */
  changes: Readonly<Record<string, Outcome>>;
  planner: string | null;
  fallbackReason: string | null;
  decided: Action | null;
};

export const initialProgress: ProgressState = {
  incidentId: null,
  servers: null,
  unknown: [],
  reads: {},
  changes: {},
  planner: null,
  fallbackReason: null,
  decided: null,
};

const READ_OF: Partial<Record<ToolName, 'health' | 'logs'>> = {
  get_server_health: 'health',
  fetch_recent_logs: 'logs',
};

/** Pure: the state after one more event. */
export function applyProgress(state: ProgressState, event: ProgressEvent): ProgressState {
  switch (event.stage) {
    case 'opened':
      return { ...state, incidentId: event.incidentId };
    case 'scope':
      return { ...state, servers: [...event.servers], unknown: [...event.unknown] };
    case 'evidence': {
      const outcome: Outcome = event.ok ? 'ok' : 'failed';
      if (event.tool === 'list_recent_changes')
        return { ...state, changes: { ...state.changes, [event.subject]: outcome } };
      const read = READ_OF[event.tool];
      if (!read) return state;
      return {
        ...state,
        reads: {
          ...state.reads,
          [event.subject]: { ...state.reads[event.subject], [read]: outcome },
        },
      };
    }
    case 'reasoning':
      return { ...state, planner: event.planner };
    case 'fallback':
      return { ...state, fallbackReason: event.reason };
    case 'decided':
      return { ...state, decided: event.action };
  }
}

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
