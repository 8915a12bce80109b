/**
 * Secrets are redacted from log lines (and report text) before a planner, a terminal or Slack
 * sees them. Patterns err on the side of redacting: a hidden token costs nothing, a leaked one does.
 */
/** What a secret is replaced with. */
export const REDACTION_MASK = '[REDACTED]';
const MASK = REDACTION_MASK;

type Rule = {
  name: string;
  pattern: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
};

const RULES: readonly Rule[] = [
  {
    name: 'private key block',
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    replace: MASK,
  },
  // scheme://user:password@host — keep the user and host, they help diagnosis.
  {
    name: 'url credentials',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi,
    replace: `$1:${MASK}@`,
  },
  {
    name: 'bearer token',
    pattern: /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: `$1 ${MASK}`,
  },
  // The path of a Slack incoming webhook is its secret.
  {
    name: 'slack webhook',
    pattern: /\b(https:\/\/hooks\.slack\.com\/)(services|workflows|triggers)\/[A-Za-z0-9/_-]+/g,
    replace: `$1$2/${MASK}`,
  },
  { name: 'slack token', pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g, replace: MASK },
  { name: 'slack app token', pattern: /\bxapp-[A-Za-z0-9-]{10,}/g, replace: MASK },
  { name: 'openai key', pattern: /\bsk-[A-Za-z0-9_-]{16,}/g, replace: MASK },
  { name: 'github token', pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}/g, replace: MASK },
  { name: 'aws access key', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: MASK },
  {
    name: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g,
    replace: MASK,
  },
  {
    // key=value, key: value, "key": "value" for secret-looking keys.
    name: 'secret assignment',
    pattern:
      /\b((?:[A-Za-z0-9_-]*?)(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|routing[_-]?key|integration[_-]?key|credentials?|auth)(?:[A-Za-z0-9_-]*?))(["']?\s*[:=]\s*["']?)([^\s"',;&]+)/gi,
    replace: (_match, key: string, separator: string, value: string) =>
      value === MASK || /^(bearer|basic)$/i.test(value)
        ? `${key}${separator}${value}`
        : `${key}${separator}${MASK}`,
  },
];

export function redact(text: string): string {
  // NUL bytes carry no meaning in a log line and PostgreSQL cannot store them in text.
  let out = text.replaceAll('\u0000', '');
  for (const rule of RULES) {
    out =
      typeof rule.replace === 'string'
        ? out.replace(rule.pattern, rule.replace)
        : out.replace(
            rule.pattern,
            rule.replace as (substring: string, ...args: string[]) => string,
          );
  }
  return out;
}

export function redactLines(lines: readonly string[]): string[] {
  return lines.map(redact);
}
