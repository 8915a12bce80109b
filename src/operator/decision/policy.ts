import type { Decision, PlannerDraft } from '../../domain/brief.ts';
import type { Evidence } from '../../domain/evidence.ts';
import type { ServerInfo } from '../../tools/backends.ts';
import { computeEscalation } from './escalation.ts';
import { abnormal, find, RESTART_BLOCKING, SIGNAL_LABELS, type Signal } from './signals/index.ts';

export type PolicySettings = {
  /** CPU or memory at or above this percent supports a restart (default 90). */
  thresholdPercent: number;
  /** At most this many restarts per server within the window (default 1 per 30 min). */
  restartBudget: number;
  budgetWindowMinutes: number;
};

export type PolicyInput = {
  draft: PlannerDraft;
  scope: readonly ServerInfo[];
  /**
   * Servers in scope that an alert names only in its description or runbook prose: investigated,
   * never restarted (only what an alert is about may be).
   */
  contextOnly?: readonly string[];
  evidence: readonly Evidence[];
  signals: readonly Signal[];
  /** Restarts of a server within the budget window, from the store. */
  recentRestarts: (serverId: string) => Promise<number>;
  settings: PolicySettings;
};

/** Why a restart would be refused, or null when the guard accepts it. */
async function restartRefusal(server: string, input: PolicyInput): Promise<string | null> {
  const inScope = input.scope.find((s) => s.id === server);
  if (!inScope) {
    const names = input.scope.map((s) => s.id).join(', ') || 'none';
    return `restart of ${server} refused: it is not in this incident's scope (servers in scope: ${names})`;
  }
  if (input.contextOnly?.includes(server)) {
    return `restart of ${server} refused: the alert names ${server} only in its description, not as what it is about (its title, labels or host fields), so it is context, not a restart target`;
  }
  if (inScope.restartable === false) {
    return `restart of ${server} refused: ${inScope.restartRefusal ?? `the service catalog marks ${inScope.service ?? server} as not restartable by the bot`}`;
  }
  const blocking = input.signals.find((s) => RESTART_BLOCKING.has(s.id));
  if (blocking) {
    return `restart of ${server} refused: ${SIGNAL_LABELS[blocking.id]} signature present (${blocking.evidence.join(', ')}: "${blocking.detail}"), a restart will not fix it`;
  }
  const down = find(input.signals, 'server_down', server);
  if (down) {
    return `restart of ${server} refused: the server is down (${down.evidence.join(', ')}), and a service restart cannot bring back a down host`;
  }
  const health = [...input.evidence]
    .reverse()
    .find((e) => e.source.subject === server && e.data.kind === 'health');
  const hung = find(input.signals, 'hung_process', server);
  const { thresholdPercent } = input.settings;
  const supported =
    hung !== undefined ||
    (health?.data.kind === 'health' &&
      (health.data.cpu >= thresholdPercent || health.data.memory >= thresholdPercent));
  if (!supported) {
    const reading =
      health?.data.kind === 'health'
        ? `cpu ${health.data.cpu}%, memory ${health.data.memory}%`
        : 'no health reading';
    return `restart of ${server} refused: no evidence supports it (${reading}, below ${thresholdPercent}%, and no hung process)`;
  }
  const used = await input.recentRestarts(server);
  if (used >= input.settings.restartBudget) {
    return `restart of ${server} refused: restart budget used (${used} restart${used === 1 ? '' : 's'} in the last ${input.settings.budgetWindowMinutes} min, limit ${input.settings.restartBudget})`;
  }
  return null;
}

/**
 * The policy guard. Whatever a planner proposes, this decides what the bot may do: it accepts a
 * restart only in scope, with supporting evidence, no blocking signature and budget left; it
 * forces security signals to security; and it refuses to escalate without evidence.
 */
export async function applyPolicy(input: PolicyInput): Promise<Decision> {
  const { draft } = input;
  const notes: string[] = [];
  let { action, category, severity } = draft;
  let restartServer: string | null = null;

  const problems = abnormal(input.signals);
  if (problems.length === 0) {
    if (action !== 'monitor' || category !== 'unknown' || severity !== 'sev3') {
      const found = input.evidence.some((e) => e.data.kind !== 'error')
        ? 'no evidence of a problem was found (health and logs look normal)'
        : 'no evidence could be gathered';
      notes.push(
        `${found}, so the planner's ${action}/${category}/${severity} became monitor/unknown/sev3: no escalation without evidence`,
      );
    }
    return {
      action: 'monitor',
      category: 'unknown',
      severity: 'sev3',
      escalation: 'hold',
      restartServer: null,
      policyNotes: notes,
    };
  }

  const security = find(input.signals, 'suspicious_activity');
  if (security && category !== 'security') {
    notes.push(
      `security signature present (${security.evidence.join(', ')}: "${security.detail}"): category set to security`,
    );
    category = 'security';
  }
  if (category === 'security' && action !== 'escalate') {
    notes.push('security incidents are escalated to security, never restarted or left to monitor');
    action = 'escalate';
  }

  if (action === 'restart') {
    const target =
      draft.restartServer ?? (input.scope.length === 1 ? (input.scope[0]?.id ?? null) : null);
    const refusal = target
      ? await restartRefusal(target, input)
      : 'restart refused: the planner did not say which server to restart';
    if (refusal) {
      notes.push(`${refusal}; escalating instead`);
      action = 'escalate';
    } else {
      restartServer = target;
    }
  }

  return {
    action,
    category,
    severity,
    escalation: computeEscalation({ category, severity, action }),
    restartServer,
    policyNotes: notes,
  };
}
