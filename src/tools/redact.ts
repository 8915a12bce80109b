/**
 * Secrets are redacted from log lines (and report text) before a planner, a terminal or Slack
 * sees them. Patterns err on the side of redacting: a hidden token costs nothing, a leaked one does.
 *
 * A pass collects the spans every rule wants hidden, merges them and writes the mask over each;
 * what is not secret (keys, users, hosts, markers) stays as it was. Every rule runs in time linear
 * in the text (see each rule family's note), so a megabyte of hostile log is redacted in
 * milliseconds, and redaction is idempotent: redacting redacted text changes nothing.
 *
 * Rule families and their sources: redact/tokens.ts (vendor token formats, structured tokens,
 * high-entropy base64), redact/context.ts (secret-named keys, authorization schemes, URL userinfo,
 * curl -u, command-line flags and short password flags, XML, password words in netrc, redis and
 * SQL, Oracle and Samba logins, cookies), redact/blocks.ts (PEM, PGP, SSH2 and PuTTY private
 * keys), redact/manifests.ts (the data of Kubernetes Secrets).
 */
import { maskKeyBlocks } from './redact/blocks.ts';
import {
  maskAssignments,
  maskBareSchemes,
  maskCommandPasswords,
  maskCookies,
  maskCurlUser,
  maskCutTails,
  maskFlags,
  maskOracleLogins,
  maskPasswordWords,
  maskRedisAuth,
  maskSambaUsers,
  maskSqlPasswords,
  maskUrlCredentials,
  maskXml,
} from './redact/context.ts';
import { maskKubernetesSecrets } from './redact/manifests.ts';
import { REDACTION_MASK, Scan } from './redact/scan.ts';
import { maskHighEntropy, maskKnownTokens, maskStructuredTokens } from './redact/tokens.ts';

export { REDACTION_MASK };

const RULES: readonly ((scan: Scan) => void)[] = [
  maskKeyBlocks,
  maskUrlCredentials,
  maskKnownTokens,
  maskStructuredTokens,
  maskAssignments,
  maskFlags,
  maskBareSchemes,
  maskCommandPasswords,
  maskCurlUser,
  maskXml,
  maskPasswordWords,
  maskSqlPasswords,
  maskRedisAuth,
  maskOracleLogins,
  maskSambaUsers,
  maskCookies,
  maskKubernetesSecrets,
  maskHighEntropy,
  maskCutTails,
];

/** Spans as flat [start, end) pairs. */
type Spans = number[];

const INDEX_BITS = 2 ** 24;

/** The spans to mask in `text`, sorted by start and merged where they overlap or touch. */
function spansOf(text: string, cuts?: ReadonlySet<number>): Spans {
  const scan = new Scan(text, cuts);
  for (const rule of RULES) rule(scan);
  const flat = scan.spans;
  const count = flat.length / 2;
  let order: ArrayLike<number> | null = null;
  for (let i = 1; i < count; i++) {
    if ((flat[2 * i] as number) < (flat[2 * i - 2] as number)) {
      // Sort indices by start with one numeric typed-array sort: key = start · 2²⁴ + index.
      const keys = new Float64Array(count);
      for (let k = 0; k < count; k++) keys[k] = (flat[2 * k] as number) * INDEX_BITS + k;
      keys.sort();
      order = keys.map((key) => key % INDEX_BITS);
      break;
    }
  }
  const merged: Spans = [];
  for (let k = 0; k < count; k++) {
    const i = order ? (order[k] as number) : k;
    const start = flat[2 * i] as number;
    const end = flat[2 * i + 1] as number;
    const last = merged.length - 1;
    if (last > 0 && start <= (merged[last] as number)) {
      if (end > (merged[last] as number)) merged[last] = end;
    } else merged.push(start, end);
  }
  return merged;
}

/** `text[from, to)` with the spans inside it masked; `cursor.i` walks the sorted spans once. */
function render(
  text: string,
  spans: Spans,
  from: number,
  to: number,
  cursor: { i: number },
): string {
  let out = '';
  let at = from;
  while (cursor.i < spans.length) {
    const start = spans[cursor.i] as number;
    const end = spans[cursor.i + 1] as number;
    if (start >= to) break;
    if (end > from) {
      out += text.slice(at, Math.max(start, from)) + REDACTION_MASK;
      at = Math.min(end, to);
    }
    if (end > to) break;
    cursor.i += 2;
  }
  return out + text.slice(at, to);
}

// NUL bytes carry no meaning in a log line and PostgreSQL cannot store them in text.
const withoutNul = (text: string) =>
  text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;

/**
 * `text` with every secret replaced by REDACTION_MASK and NUL bytes dropped. Pure, idempotent,
 * linear in the length of `text`; a text of several lines is one context (a private key spread
 * over its lines is hidden whole).
 */
export function redact(text: string): string {
  const clean = withoutNul(text);
  const spans = spansOf(clean);
  return spans.length === 0 ? clean : render(clean, spans, 0, clean.length, { i: 0 });
}

export type RedactLinesOptions = {
  /**
   * Each line is clipped to this many characters BEFORE it is redacted, so a secret cut at the
   * clip point is still recognised (and masked) from what is left of it. The result is clipped to
   * the same length again — the mask is longer than many secrets — and marked with `ellipsis`.
   */
  maxLineLength?: number;
  /** Appended to a clipped line; "…" by default. */
  ellipsis?: string;
};

/**
 * The lines of one log fetch, oldest first, redacted as one context: a private key logged one
 * line per log line is hidden across the lines (and an END line whose BEGIN fell before the
 * window hides the key lines above it). With `maxLineLength`, lines are clipped first, then
 * redacted; each result is at most `maxLineLength` characters plus the ellipsis.
 */
export function redactLines(lines: readonly string[], options: RedactLinesOptions = {}): string[] {
  const max = options.maxLineLength;
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
    throw new RangeError(`maxLineLength must be a positive integer, got ${max}`);
  }
  const ellipsis = options.ellipsis ?? '…';
  const clipped = lines.map((line) => {
    const clean = withoutNul(line);
    return max !== undefined && clean.length > max
      ? { text: clean.slice(0, max), cut: true }
      : { text: clean, cut: false };
  });
  const joined = clipped.map((l) => l.text).join('\n');
  const cuts = new Set<number>();
  const offsets: number[] = [];
  let offset = 0;
  for (const l of clipped) {
    offsets.push(offset);
    offset += l.text.length;
    if (l.cut) cuts.add(offset);
    offset += 1;
  }
  const spans = spansOf(joined, cuts);
  const cursor = { i: 0 };
  return clipped.map((l, n) => {
    const from = offsets[n] as number;
    const out = render(joined, spans, from, from + l.text.length, cursor);
    if (max === undefined) return out;
    if (out.length > max) return `${out.slice(0, max)}${ellipsis}`;
    return l.cut ? `${out}${ellipsis}` : out;
  });
}
