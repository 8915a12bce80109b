/**
 * Private keys: PEM (`-----BEGIN RSA PRIVATE KEY-----`, EC, DSA, OPENSSH, ENCRYPTED, PKCS#8),
 * PGP (`-----BEGIN PGP PRIVATE KEY BLOCK-----`), SSH2 (`---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`)
 * and PuTTY (`Private-Lines: N`). Facts: gitleaks private-key, detect-secrets PrivateKeyDetector.
 *
 * A key reaches a log on one line (`-----BEGIN…-----MIIE…-----END…-----`, or JSON with `\n`
 * escapes) or one line per log line. The BEGIN line starts a block; the base64 body lines after
 * it are masked up to the END line or to the first line that clearly is not key material. An END
 * line with no BEGIN before it (the BEGIN fell outside the fetched window) masks the key material
 * just above it. The markers themselves stay: "a private key was logged" is a finding.
 *
 * Linear time: each line is looked at once going forward and at most once going back.
 */
import { REDACTION_MASK, type Scan } from './scan.ts';

const BEGIN =
  /-{4,5} ?BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)? ?-{4,5}|Private-Lines: *\d{1,4}/gi;
const END = /-{4,5} ?END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)? ?-{4,5}/gi;
const ARMOR_HEADER =
  /(?:^|[\s"'])(?:Proc-Type|DEK-Info|Version|Comment|Hash|Charset|MessageID|Encryption|Subject|Private-MAC):/i;

function isBase64Char(c: string | undefined): boolean {
  if (c === undefined) return false;
  const k = c.charCodeAt(0);
  return (
    (k >= 65 && k <= 90) ||
    (k >= 97 && k <= 122) ||
    (k >= 48 && k <= 57) ||
    c === '+' ||
    c === '/' ||
    c === '='
  );
}

/**
 * The next match of a global pattern at or after `from`, memoised: positions only grow, and an
 * answer stays right until `from` passes it, so the text is searched once per pattern.
 */
function finder(pattern: RegExp, text: string): (from: number) => RegExpExecArray | null {
  const re = new RegExp(pattern.source, pattern.flags);
  let last: RegExpExecArray | null = null;
  let lastFrom = -1;
  let exhausted = false;
  return (from) => {
    if (exhausted && from >= lastFrom) return null;
    if (last && lastFrom <= from && from <= last.index) return last;
    re.lastIndex = from;
    last = re.exec(text);
    lastFrom = from;
    exhausted = last === null;
    return last;
  };
}

type Token = { start: number; end: number; material: boolean };

/**
 * The last token of the line text[start, end) and whether it is key material: base64 (or the
 * mask of an earlier pass), long enough, or the whole line. Quotes, commas, braces and `\n`
 * escapes around it (a JSON log record) are skipped.
 */
function bodyToken(text: string, lineStart: number, lineEnd: number): Token {
  let end = lineEnd;
  for (;;) {
    const c = text.charCodeAt(end - 1);
    if (end - 2 >= lineStart && text.charCodeAt(end - 2) === 92 && (c === 110 || c === 114)) {
      end -= 2; // a JSON "\n" escape
    } else if (end > lineStart && (isSpaceCode(c) || TRAILING.includes(text[end - 1] as string))) {
      end--;
    } else break;
  }
  const maskStart = end - REDACTION_MASK.length;
  if (maskStart >= lineStart && text.startsWith(REDACTION_MASK, maskStart)) {
    return { start: maskStart, end, material: true };
  }
  // Padding, then base64 data, then (PGP's checksum line "=8xQN") one more "=".
  let start = end;
  while (start > lineStart && end - start < 3 && text.charCodeAt(start - 1) === 61) start--;
  const dataEnd = start;
  let lower = false;
  let upper = false;
  let other = start < end; // digits, "+", "/", padding
  while (start > lineStart) {
    const c = text.charCodeAt(start - 1);
    if (c >= 97 && c <= 122) lower = true;
    else if (c >= 65 && c <= 90) upper = true;
    else if ((c >= 48 && c <= 57) || c === 43 || c === 47) other = true;
    else break;
    start--;
  }
  if (start === dataEnd) return { start, end, material: false };
  if (dataEnd - start === 4 && dataEnd === end && text.charCodeAt(start - 1) === 61) start--;
  if (start > lineStart) {
    const before = text.charCodeAt(start - 1);
    if (!isSpaceCode(before) && !BEFORE_TOKEN.includes(text[start - 1] as string)) {
      return { start, end, material: false };
    }
  }
  let whole = true;
  for (let i = lineStart; i < start && whole; i++) whole = isSpaceCode(text.charCodeAt(i));
  const length = end - start;
  const mixed = lower && upper;
  let plusOrSlash = false;
  for (let i = start; i < end && !plusOrSlash; i++) {
    const c = text.charCodeAt(i);
    plusOrSlash = c === 43 || c === 47;
  }
  const material = whole ? length >= 16 || other || mixed : length >= 16 && (mixed || plusOrSlash);
  return { start, end, material };
}

const TRAILING = '"\'},]';
const BEFORE_TOKEN = '"\':=>';
const isSpaceCode = (c: number) =>
  c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c === 10;

const isBlank = (text: string, start: number, end: number) => {
  for (let i = start; i < end; i++) if (!isSpaceCode(text.charCodeAt(i))) return false;
  return true;
};

/** Masks the run of base64 that ends right before `at` (material glued to an END marker). */
function maskRunBefore(scan: Scan, lineStart: number, at: number): void {
  let s = at;
  while (s > lineStart && (isBase64Char(scan.text[s - 1]) || scan.text[s - 1] === '\\')) s--;
  if (s < at && /[A-Za-z0-9+/]/.test(scan.text.slice(s, at))) scan.mask(s, at);
}

/**
 * True when the line text[start, end) belongs in a key block: blank, an armor header, or key
 * material — whose span is then added to `found`.
 */
function bodyLine(text: string, start: number, end: number, found: number[]): boolean {
  if (isBlank(text, start, end)) return true;
  const content = text.slice(start, end);
  if (content.includes(':') && ARMOR_HEADER.test(content)) return true;
  const token = bodyToken(text, start, end);
  if (token.material) found.push(token.start, token.end);
  return token.material;
}

/** Masks a body line if it is key material; false when it clearly is not (the block ends). */
function maskBodyLine(scan: Scan, start: number, end: number): boolean {
  const found: number[] = [];
  const inBlock = bodyLine(scan.text, start, end, found);
  if (found.length === 2) scan.mask(found[0] as number, found[1] as number);
  return inBlock;
}

const contentEnd = (text: string, start: number, end: number) =>
  end > start && text[end - 1] === '\r' ? end - 1 : end;

export function maskKeyBlocks(scan: Scan): void {
  const text = scan.text;
  if (!/PRIVATE KEY|Private-Lines:/i.test(text)) return;
  const nextBegin = finder(BEGIN, text);
  const nextEnd = finder(END, text);
  // Lines before `boundary` belong to a block already handled.
  let boundary = 0;
  let pos = 0;
  while (pos < text.length) {
    const b = nextBegin(pos);
    const e = nextEnd(pos);
    if (!b && !e) return;
    if (e && (!b || e.index < b.index)) {
      // An END with no BEGIN: mask what is glued to it and the key lines just above it.
      const lineStart = scan.lineStart(e.index);
      // Walk up to the first line that is not key material, then mask top-down (spans in order).
      const found: number[] = [];
      let top = lineStart;
      while (top - 1 > boundary) {
        const start = text.lastIndexOf('\n', top - 2) + 1;
        if (start < boundary || !bodyLine(text, start, contentEnd(text, start, top - 1), found))
          break;
        top = start;
      }
      for (let i = found.length - 2; i >= 0; i -= 2)
        scan.mask(found[i] as number, found[i + 1] as number);
      maskRunBefore(scan, lineStart, e.index);
      pos = boundary = e.index + e[0].length;
      continue;
    }
    const begin = b as RegExpExecArray;
    const bodyStart = begin.index + begin[0].length;
    const lineEnd = scan.lineEnd(begin.index);
    const close = nextEnd(bodyStart);
    if (close && close.index < lineEnd) {
      scan.mask(bodyStart, close.index);
      pos = boundary = close.index + close[0].length;
      continue;
    }
    let stop = bodyStart;
    while (stop < lineEnd && (isBase64Char(text[stop]) || ' \t\\-'.includes(text[stop] as string)))
      stop++;
    if (/[A-Za-z0-9+/]/.test(text.slice(bodyStart, stop))) scan.mask(bodyStart, stop);
    // The block: body lines up to the END line, or to the first line that is not key material.
    pos = boundary = text.length;
    for (let line = lineEnd + 1; line < text.length; ) {
      const end = scan.lineEnd(line);
      const closing = nextEnd(line);
      if (closing && closing.index < end) {
        maskRunBefore(scan, line, closing.index);
        pos = boundary = closing.index + closing[0].length;
        break;
      }
      if (!maskBodyLine(scan, line, contentEnd(text, line, end))) {
        pos = boundary = line;
        break;
      }
      line = end + 1;
    }
  }
}
