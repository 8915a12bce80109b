/**
 * What a follow-up in an incident's thread asks, read by rules: the same words always mean the same
 * thing. Anything else is a free question (the model answers it when one is configured).
 */
export type Intent =
  /** "also check db-node-02": widen the scope and assess again. */
  | { kind: 'widen'; text: string }
  /** "show 50 more log lines of payment-server-01". */
  | { kind: 'logs'; lines: number; text: string }
  | { kind: 'changes' }
  | { kind: 'why_not_restart' }
  | { kind: 'escalate'; text: string }
  | { kind: 'status' }
  | { kind: 'postmortem' }
  | { kind: 'help' }
  | { kind: 'question'; text: string };

export type IntentKind = Intent['kind'];

/** How many more log lines "show more logs" fetches when no number is given, and at most. */
export const LOG_LINES = { default: 50, max: 200 } as const;

const WIDEN = [
  /\b(?:also|and)\s+(?:check|look\s+at|investigate|include|add)\b/i,
  /\b(?:check|look\s+at|investigate|include)\b.+\b(?:too|as\s+well)\b/i,
  /\bwhat\s+about\s+[a-z0-9]/i,
  /^\s*(?:check|investigate|look\s+at)\s+[a-z0-9]/i,
];
const LOGS =
  /\b(?:(?:more|older|last|previous)\s+(?:\d+\s+)?(?:log\s*)?(?:lines?|logs?)|(?:show|fetch|get|give)\s+(?:me\s+)?(?:\d+\s+)?(?:more\s+)?(?:log\s+)?(?:lines|logs))\b/i;
const CHANGES =
  /\bwhat\s+(?:has\s+)?changed\b|\b(?:recent|any|latest)\s+(?:changes?|deploy(?:s|ments?)?)\b|\bwhat\s+(?:was\s+)?deployed\b|^\s*changes\??\s*$/i;
const WHY_NOT_RESTART =
  /\bwhy\b.{0,40}\b(?:not|no|n't|didn['’]?t|don['’]?t|won['’]?t|wouldn['’]?t|refuse[ds]?)\b.{0,30}\brestart|\bwhy\s+not\s+(?:just\s+)?restart/i;
const ESCALATE =
  /^\s*(?:please\s+)?(?:escalate|page)\b|\b(?:escalate|page)\s+(?:this|it|now|them|the\s+on-?call)\b/i;
const STATUS =
  /^\s*(?:status|state|update|where\s+are\s+we|what(?:'s|\s+is)\s+the\s+(?:status|state))\b/i;
const POSTMORTEM = /\b(?:post-?mortem|incident\s+review|retro(?:spective)?)\b/i;
const HELP = /^\s*(?:help|\?|what\s+can\s+you\s+do)\s*\??\s*$/i;

/** The intent of a follow-up's words (platform markup already removed). */
export function parseIntent(text: string): Intent {
  const t = text.trim();
  if (HELP.test(t)) return { kind: 'help' };
  if (WHY_NOT_RESTART.test(t)) return { kind: 'why_not_restart' };
  if (LOGS.test(t)) {
    const n = Number(/(\d{1,4})\s+(?:more\s+|older\s+)?(?:log\s*)?(?:lines?|logs?)/i.exec(t)?.[1]);
    const lines = Number.isFinite(n) && n > 0 ? Math.min(n, LOG_LINES.max) : LOG_LINES.default;
    return { kind: 'logs', lines, text: t };
  }
  if (POSTMORTEM.test(t)) return { kind: 'postmortem' };
  if (CHANGES.test(t)) return { kind: 'changes' };
  if (ESCALATE.test(t)) return { kind: 'escalate', text: t };
  if (STATUS.test(t)) return { kind: 'status' };
  if (WIDEN.some((re) => re.test(t))) return { kind: 'widen', text: t };
  return { kind: 'question', text: t };
}
