/**
 * What a value looks like: the checks that tell a credential from an ordinary word without
 * knowing its format. They only ever look at one bounded value, never at the whole text.
 */
import { REDACTION_MASK } from './scan.ts';

/** A set of words written as one space-separated string. */
export const wordSet = (list: string): ReadonlySet<string> =>
  new Set(list.split(/\s+/).filter(Boolean));

const counts = new Uint32Array(65536);

/** Shannon entropy in bits per character (detect-secrets' measure for high-entropy strings). */
export function entropy(value: string): number {
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    counts[c] = (counts[c] as number) + 1;
  }
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    const k = counts[c] as number;
    if (k === 0) continue;
    const p = k / n;
    bits -= p * Math.log2(p);
    counts[c] = 0;
  }
  return bits;
}

type Classes = { lower: boolean; upper: boolean; digit: boolean; symbol: boolean; other: boolean };

function classes(value: string): Classes {
  const out = { lower: false, upper: false, digit: false, symbol: false, other: false };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) out.lower = true;
    else if (c >= 65 && c <= 90) out.upper = true;
    else if (c >= 48 && c <= 57) out.digit = true;
    else if ('+/=_.~%-'.includes(value[i] as string)) out.symbol = true;
    else out.other = true;
  }
  return out;
}

/**
 * A value shaped like a generated credential: only token characters, at least `min` long, with
 * digits among letters or mixed case. "authentication", "bad-news" and "expired" are not.
 */
export function looksLikeToken(value: string, min = 8): boolean {
  if (value.length < min) return false;
  const c = classes(value);
  if (c.other) return false;
  const letters = c.lower || c.upper;
  return (
    (letters && c.digit) || (c.lower && c.upper && (c.digit || c.symbol || value.length >= 16))
  );
}

/**
 * A value that reads as generated rather than written: mixed case with digits, or letters with
 * many digits (hex, session ids). `jetbrains.mps.v8_elimination` and `SalesResults-1.2` are not.
 */
export function looksRandom(value: string, min = 16): boolean {
  if (!looksLikeToken(value, min)) return false;
  const c = classes(value);
  if (c.lower && c.upper && c.digit) return true;
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const k = value.charCodeAt(i);
    if (k >= 48 && k <= 57) digits++;
  }
  return digits / value.length >= 0.2;
}

/** `Basic` credentials are base64 of "user:password". */
export function isBasicCredential(value: string): boolean {
  if (!/^[A-Za-z0-9+/]{6,}={0,2}$/.test(value)) return false;
  try {
    const decoded = Buffer.from(value, 'base64').toString('latin1');
    if (!decoded.includes(':')) return false;
    for (let i = 0; i < decoded.length; i++) {
      const c = decoded.charCodeAt(i);
      if (c < 32 && c !== 9 && c !== 10 && c !== 13) return false;
    }
    return true;
  } catch {
    return false;
  }
}

// Values a secret-named key carries that are no secret: states, placeholders, masks of other tools.
const NOT_SECRET_WORDS = wordSet(
  'true false null nil none undefined yes no on off ok required missing invalid expired ' +
    'empty unset set present absent provided redacted hidden masked filtered omitted removed ' +
    'enabled disabled valid revoked rotated changed updated reset sent failed mismatch ' +
    'incorrect wrong denied rejected accepted unknown n/a na new function await require ' +
    'import this',
);

/** A value under a secret-named key that is a state, a placeholder or already masked. */
export function isNotSecretValue(raw: string): boolean {
  // Prose punctuation around a state: "(using password: YES)".
  const value = raw.length <= 14 ? raw.replace(/[)\]}.,;!?]+$/, '') : raw;
  // One character (PuttyPassword=0) hides nothing worth hiding.
  if (value.length <= 1) return true;
  if (value.includes(REDACTION_MASK)) return true;
  if (value.length <= 12 && NOT_SECRET_WORDS.has(value.toLowerCase())) return true;
  if (!'*xX#.?…-<[${%'.includes(value[0] as string)) return false;
  return (
    /^[*xX#.?…-]+$/.test(value) || // ****, xxxx, ---, ...
    /^<[^<>]*>$/.test(value) || // <hidden>, <nil>
    /^\[[A-Za-z_ ]*\]$/.test(value) || // [FILTERED], [hidden]
    /^\$\{[^{}]*\}$/.test(value) || // ${DB_PASSWORD}
    /^\{\{.*\}\}$/.test(value) || // {{ .Values.password }}
    /^\$[A-Z_][A-Z0-9_]{2,}$/.test(value) || // $DB_PASSWORD
    /^%(?:\([\w.]+\))?s$/.test(value) // %s, %(password)s
  );
}

/** The words of an identifier: DB_PASSWORD, clientSecret, X-Api-Key, tls.key, AccountKey. */
export function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s._-]+/)
    .filter((w) => w.length > 0);
}
