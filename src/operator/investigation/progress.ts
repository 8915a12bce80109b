import type { Action } from '../../domain/vocabulary.ts';
import type { ProgressEvent } from './investigate.ts';

/**
 * What an investigation has done so far, folded from its ProgressEvents. Presenters render it
 * (a Slack message that is edited, a terminal line); the reducer is the same for all of them.
 */

/** How one read went. */
export type Outcome = 'ok' | 'failed';

export type ProgressState = {
  incidentId: string | null;
  /** null until the scope is known. */
  servers: readonly string[] | null;
  unknown: readonly string[];
  /** Servers named beyond the scope's cap, not checked. */
  skipped: number;
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
  skipped: 0,
  reads: {},
  changes: {},
  planner: null,
  fallbackReason: null,
  decided: null,
};

const READ_OF: Partial<Record<string, 'health' | 'logs'>> = {
  get_server_health: 'health',
  fetch_recent_logs: 'logs',
};

/** Pure: the state after one more event. */
export function applyProgress(state: ProgressState, event: ProgressEvent): ProgressState {
  switch (event.stage) {
    case 'opened':
      return { ...state, incidentId: event.incidentId };
    case 'scope':
      return {
        ...state,
        servers: [...event.servers],
        unknown: [...event.unknown],
        skipped: event.skipped ?? 0,
      };
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
