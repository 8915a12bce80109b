/**
 * The shared state of one redaction pass: the text, the spans to mask, the positions where the
 * caller clipped a line, and memoised look-ups that keep every rule linear in the text's length.
 */

/** What a secret is replaced with. */
export const REDACTION_MASK = '[REDACTED]';

const isBlank = (c: number) => c === 32 || c === 9 || c === 13 || c === 11 || c === 12;

const STOP_TABLES = new Map<string, Uint8Array>();

/** ASCII look-up of the characters that end a token: whitespace and `stops`. */
function stopTable(stops: string): Uint8Array {
  let table = STOP_TABLES.get(stops);
  if (!table) {
    table = new Uint8Array(128);
    for (const c of ' \t\n\r\v\f') table[c.charCodeAt(0)] = 1;
    for (const c of stops) table[c.charCodeAt(0)] = 1;
    STOP_TABLES.set(stops, table);
  }
  return table;
}

export class Scan {
  /** Spans to mask, as flat [start, end) pairs. */
  readonly spans: number[] = [];
  private readonly nextMemo = new Map<string, { from: number; at: number }>();
  private line = { start: 0, end: -1 };
  private readonly tokenMemo = new Map<string, { from: number; end: number }>();
  private trimmed = { end: -1, at: -1 };

  readonly text: string;
  private readonly cuts: ReadonlySet<number>;

  constructor(text: string, cuts: ReadonlySet<number> = new Set()) {
    this.text = text;
    this.cuts = cuts;
  }

  mask(start: number, end: number): void {
    if (end > start) this.spans.push(start, end);
  }

  /** True when a caller clipped a line at `pos`: what stands before it may be a cut secret. */
  isCut(pos: number): boolean {
    return this.cuts.size > 0 && this.cuts.has(pos);
  }

  get cutPositions(): ReadonlySet<number> {
    return this.cuts;
  }

  /**
   * The first index ≥ `from` of `needle` (or the text's length). Memoised per needle: callers ask
   * with growing `from`, and an answer stays valid until `from` passes it, so the text is scanned
   * once per needle however many times it is asked.
   */
  next(needle: string, from: number): number {
    const memo = this.nextMemo.get(needle);
    if (memo && memo.from <= from && from <= memo.at) return memo.at;
    const found = this.text.indexOf(needle, from);
    const at = found === -1 ? this.text.length : found;
    this.nextMemo.set(needle, { from, at });
    return at;
  }

  /** End of the line holding `pos` (the index of its newline, or the text's length). */
  lineEnd(pos: number): number {
    return this.next('\n', pos);
  }

  /** Start of the line holding `pos`. Linear over calls with growing `pos`. */
  lineStart(pos: number): number {
    const line = this.line;
    if (line.start <= pos && pos <= line.end) return line.start;
    const start = pos === 0 ? 0 : this.text.lastIndexOf('\n', pos - 1) + 1;
    this.line = { start, end: this.lineEnd(pos) };
    return start;
  }

  /**
   * End of the unquoted token starting at `pos`: up to whitespace or a delimiter. Memoised per
   * set of delimiters: every position inside a token has the same end, so a token is scanned once
   * however many rules (or matches) ask from inside it.
   */
  tokenEnd(pos: number, stops: string): number {
    const memo = this.tokenMemo.get(stops);
    if (memo && memo.from <= pos && pos <= memo.end) return memo.end;
    const end = this.scanToken(pos, stops);
    this.tokenMemo.set(stops, { from: pos, end });
    return end;
  }

  /** End of the line holding `pos`, less its trailing blanks. */
  trimmedLineEnd(pos: number): number {
    const end = this.lineEnd(pos);
    if (this.trimmed.end === end) return this.trimmed.at;
    let at = end;
    const start = this.lineStart(pos);
    while (at > start && isBlank(this.text.charCodeAt(at - 1))) at--;
    this.trimmed = { end, at };
    return at;
  }

  private scanToken(pos: number, stops: string): number {
    const text = this.text;
    const table = stopTable(stops);
    let i = pos;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c < 128 && table[c] === 1) break;
      i++;
    }
    return i;
  }
}
