import type { AuditEntry } from '../../domain/audit.ts';
import type { IncidentBrief } from '../../domain/brief.ts';

/**
 * A planner writes prose; only the audit log says what was done. Whatever a model writes in a
 * title, summary or next action, a clause stating that an action happened — restarted, paged,
 * escalated, resolved, rolled back, scaled… — is kept only when the audit log shows that action;
 * otherwise it is removed, and the brief says so. Intentions ("a restart is proposed", "escalate to
 * the search team"), questions, negations and conditionals are not claims.
 */

/** The kinds of action a sentence can claim. The bot performs only the first two, and only audited. */
export type ClaimedAction = 'restart' | 'escalation' | 'remediation';

/** What the audit log confirms happened. */
export type ConfirmedActions = ReadonlySet<ClaimedAction>;

export function confirmedActions(audit: readonly AuditEntry[]): ConfirmedActions {
  const confirmed = new Set<ClaimedAction>();
  for (const entry of audit) {
    if (entry.event === 'restart.executed') confirmed.add('restart');
    if (entry.event === 'escalation.sent') confirmed.add('escalation');
  }
  return confirmed;
}

/**
 * What a brief (derived from the audit log) shows was done: a restart that ran, an escalation sent.
 * For readers that hold the brief and not the log, such as the answer to a follow-up question.
 */
export function confirmedInBrief(
  brief: Pick<IncidentBrief, 'lastRestart' | 'escalationPackage'>,
): ConfirmedActions {
  const confirmed = new Set<ClaimedAction>();
  const taken = brief.escalationPackage.actionsTaken.map((a) => a.action);
  if (brief.lastRestart || taken.some((a) => a.startsWith('Restarted '))) confirmed.add('restart');
  if (taken.some((a) => a.startsWith('Escalated to '))) confirmed.add('escalation');
  return confirmed;
}

const RESTARTED = `(?:re-?started|rebooted|bounced|recycled|power-?cycled|killed and restarted)`;
const ESCALATED = `(?:paged|escalated|notified|alerted|called|woke(?:n)? up)`;
const REMEDIATED = `(?:resolved|fixed|mitigated|remediated|rolled[ -]?back|reverted|scaled(?: (?:up|down|out|in))?|re-?deployed|failed[ -]over|repaired)`;

/** A done action, by kind: past participles after an auxiliary, a first-person subject or "successfully". */
const DONE: readonly [ClaimedAction, RegExp | ((text: string) => boolean)][] = [
  ['restart', done(RESTARTED)],
  ['escalation', done(ESCALATED)],
  ['remediation', done(REMEDIATED)],
  // "the restart was performed / completed / successful", "the restart fixed it".
  [
    'restart',
    /\b(?:restart|reboot)s?\s+(?:was|were|has been|have been|is|got)\s+(?:now\s+)?(?:performed|done|complete|completed|executed|successful|applied|carried out)\b/i,
  ],
  [
    'restart',
    /\b(?:the|a|this|my|our)\s+(?:restart|reboot)\s+(?:resolved|fixed|worked|succeeded|helped|cleared|restored)\b/i,
  ],
  [
    'escalation',
    /\b(?:escalation|page|alert|notification)\s+(?:was|has been|is)\s+(?:now\s+)?(?:sent|made|raised|done|completed)\b/i,
  ],
  // "the incident is resolved", "issue fixed", "— resolved" at the end of a clause.
  [
    'remediation',
    /\b(?:incident|issue|problem|outage|it|everything|service|services)\s+(?:is|are|has been|was)?\s*(?:now\s+)?(?:fully\s+)?(?:resolved|fixed|mitigated|restored|back to normal)\b/i,
  ],
  ['remediation', /^(?:now\s+)?(?:fully\s+)?(?:resolved|fixed|mitigated|restored)[.!]*$/i],
];

/**
 * `<aux or subject or "successfully"> … <verb>`, a clause that starts with the participle, or a
 * server name before it ("payment-server-01 restarted"). The server name is checked on the word
 * found before the verb rather than by one pattern: a pattern with adjacent overlapping repeats
 * (`[a-z0-9]*…\d+[a-z0-9]*`) backtracks in cubic time, and a model's 10,000 digits would hold the
 * event loop for minutes.
 */
function done(verb: string): (text: string) => boolean {
  const phrase = new RegExp(
    String.raw`\b(?:has|have|had|was|were|been|is now|are now|got)\s+(?:\w+\s+){0,2}${verb}\b|\b(?:i|we|the bot|the operator|level zero operator)\s+(?:\w+\s+){0,2}${verb}\b|\bsuccessfully\s+${verb}\b|\b${verb}\s+(?:\w+[\s-]+){0,3}successfully\b|^${verb}\b`,
    'i',
  );
  const afterName = new RegExp(String.raw`(?<=\S)\s+(?:was\s+)?${verb}\b(?!\s+\d+\s+times)`, 'gi');
  return (text) => {
    if (phrase.test(text)) return true;
    for (const m of text.matchAll(afterName)) if (serverNameEndsAt(text, m.index)) return true;
    return false;
  };
}

const NAME_CHARS = /[a-z0-9.-]/i;
const NAME_SHAPE = /^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$/i;

/** Whether the word ending at `end` ends in a server-like name: letters first, a digit in its last part. */
function serverNameEndsAt(text: string, end: number): boolean {
  let start = end;
  while (start > 0 && end - start < 253 && NAME_CHARS.test(text.charAt(start - 1))) start -= 1;
  // A name starts at a letter after a separator or the start of the word.
  let name = text.slice(start, end);
  while (name && !NAME_SHAPE.test(name)) {
    const next = name.search(/[-.][a-z]/i);
    if (next < 0) return false;
    name = name.slice(next + 1);
  }
  if (!name || /\w/.test(text.charAt(end - name.length - 1))) return false;
  return /\d/.test(name.split(/[-.]/).at(-1) ?? '');
}

/** Words that make a clause an intention, a question, a negation or a condition, not a claim. */
const NOT_A_CLAIM =
  /\b(?:not|never|no|without|will|would|should|shall|could|can|may|might|must|propos\w*|recommend\w*|suggest\w*|needs?|requires?|if|unless|whether|until|consider|plan\w*|wants?|asks?|request\w*|ready to|going to)\b|n't\b|\?\s*$/i;

/**
 * Log levels as log lines print them, "[ERROR] …". Only these mark quoted log text: any other
 * bracketed word ("[DONE]", "[OK]", the redactor's own "[REDACTED]") in front of "I restarted it"
 * would otherwise hide the claim.
 */
const LOG_LEVEL = String.raw`\[(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRIT|CRITICAL|FATAL|ALERT|EMERG|PANIC|SEVERE)\]`;

/** Log text quoted in a clause is evidence, not a claim: "logs show \"[INFO] Service restarted\"". */
function unquoted(clause: string): string {
  return clause
    .replace(/"[^"]*"|“[^”]*”|'[^']*'|`[^`]*`/g, ' ')
    .replace(new RegExp(`${LOG_LEVEL}[^.;]*`, 'g'), ' ');
}

/** The action a clause claims was done, or null. */
export function claimIn(clause: string): ClaimedAction | null {
  const text = unquoted(clause).trim();
  if (!text || NOT_A_CLAIM.test(text)) return null;
  for (const [kind, pattern] of DONE)
    if (typeof pattern === 'function' ? pattern(text) : pattern.test(text)) return kind;
  return null;
}

/** Sentences and the clauses a dash or semicolon joins. */
function clauses(text: string): string[] {
  return (
    text
      // No quantifier before a separator: `\s*;` retries at every blank of a long run (quadratic).
      .split(/(?<=[.!?])\s+|[;—–]|(?<=\s)-(?=\s)/)
      .map((c) => c.trim())
      .filter(Boolean)
  );
}

export type ClaimCheck = {
  /** The text without its unconfirmed claims; empty when nothing else was left. */
  text: string;
  /** The clauses removed, as written. */
  removed: string[];
};

/** Removes the clauses of `text` that claim an action the audit log does not confirm. */
export function withoutUnconfirmedClaims(text: string, confirmed: ConfirmedActions): ClaimCheck {
  const parts = clauses(text);
  const removed = parts.filter((c) => {
    const kind = claimIn(c);
    return kind !== null && !confirmed.has(kind);
  });
  if (removed.length === 0) return { text, removed: [] };
  const kept = parts.filter((c) => !removed.includes(c));
  return { text: kept.join(' ').trim(), removed };
}
