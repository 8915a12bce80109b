/**
 * Kubernetes Secrets as `kubectl get secret -o yaml|json` prints them: every value under `data:`
 * (base64) or `stringData:` (plain) is a secret, whatever its key is called (`DATABASE_URL`,
 * `api`, `signing.pem`). Fact: gitleaks kubernetes-secret-yaml (`kind: Secret` near a `data:`
 * block); the code is ours, and also reads the JSON form.
 *
 * The text must say `kind: Secret` (or `"kind": "Secret"`) somewhere: kubectl sorts keys, so
 * `data` comes before `kind`. A ConfigMap's `data:` alone stays. The keys stay, only values go.
 *
 * Linear time: each line is looked at once; the per-line patterns are sticky at the line start.
 */
import type { Scan } from './scan.ts';

const KIND_SECRET = /\bkind["']?[ \t]*:[ \t]*["']?Secret(?![\w-])/;
const YAML_BLOCK = /[ \t]*(?:data|stringData):[ \t]*\r?(?=\n|$)/y;
const JSON_BLOCK = /"(?:data|stringData)"[ \t]*:[ \t]*\{/;
const YAML_PAIR = /([ \t]*)(?:"[^"\n]{1,253}"|'[^'\n]{1,253}'|[\w.-]{1,253})[ \t]*:[ \t]*/y;
const JSON_PAIR = /"[^"\n]{1,253}"[ \t]*:[ \t]*"([^"\n]*)"/g;

const indentOf = (text: string, start: number, end: number) => {
  let i = start;
  while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
  return i === end || text[i] === '\r' ? -1 : i - start; // -1: a blank line
};

type Finder = (from: number) => RegExpExecArray | null;

/**
 * The next JSON pair at or after `from`, memoised: positions only grow, and an answer stays
 * right until `from` passes it, so the text is searched once however many lines ask.
 */
function pairFinder(text: string): Finder {
  const re = new RegExp(JSON_PAIR.source, 'g');
  let last: RegExpExecArray | null = null;
  let lastFrom = -1;
  return (from) => {
    if (lastFrom !== -1 && lastFrom <= from && (last === null || from <= last.index)) return last;
    re.lastIndex = from;
    last = re.exec(text);
    lastFrom = from;
    return last;
  };
}

/** Masks the quoted values of the JSON pairs in text[start, end). */
function maskJsonPairs(scan: Scan, next: Finder, start: number, end: number): void {
  for (let m = next(start); m !== null; m = next(m.index + m[0].length)) {
    const close = m.index + m[0].length - 1;
    if (close >= end) return;
    const value = m[1] as string;
    if (value.length > 0) scan.mask(close - value.length, close);
  }
}

export function maskKubernetesSecrets(scan: Scan): void {
  const text = scan.text;
  if (!text.includes('Secret') || !KIND_SECRET.test(text)) return;
  // JSON, pretty or on one line (the last-applied-configuration annotation holds one too).
  let done = 0;
  const next = pairFinder(text);
  for (const m of text.matchAll(new RegExp(JSON_BLOCK.source, 'g'))) {
    const open = m.index + m[0].length;
    if (open < done) continue;
    const end = scan.lineEnd(open);
    const close = scan.next('}', open);
    if (close < end) {
      maskJsonPairs(scan, next, open, close);
      done = close;
      continue;
    }
    // One pair a line, up to the line that closes the object.
    maskJsonPairs(scan, next, open, end);
    let line = end + 1;
    while (line < text.length) {
      const lineEnd = scan.lineEnd(line);
      const stop = Math.min(scan.next('}', line), lineEnd);
      maskJsonPairs(scan, next, line, stop);
      line = lineEnd + 1;
      if (stop < lineEnd) break;
    }
    done = line;
  }
  // YAML: a `data:` line, then the deeper-indented pairs under it.
  let line = 0;
  while (line < text.length) {
    const end = scan.lineEnd(line);
    YAML_BLOCK.lastIndex = line;
    if (YAML_BLOCK.test(text) && YAML_BLOCK.lastIndex <= end) line = maskYamlBlock(scan, line, end);
    else line = end + 1;
  }
}

/** Masks the values of a YAML `data:` block whose header line is text[start, end); returns where it stopped. */
function maskYamlBlock(scan: Scan, start: number, end: number): number {
  const text = scan.text;
  const base = indentOf(text, start, end);
  let line = end + 1;
  let scalarIndent = -1; // inside a `key: |` block scalar: lines indented deeper than its key
  while (line < text.length) {
    const lineEnd = scan.lineEnd(line);
    const indent = indentOf(text, line, lineEnd);
    if (indent === -1) {
      line = lineEnd + 1;
      continue;
    }
    if (indent <= base) return line;
    const contentEnd = text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    if (scalarIndent !== -1 && indent > scalarIndent) {
      scan.mask(line + indent, contentEnd);
      line = lineEnd + 1;
      continue;
    }
    scalarIndent = -1;
    YAML_PAIR.lastIndex = line;
    const pair = YAML_PAIR.exec(text);
    if (pair && YAML_PAIR.lastIndex <= contentEnd) {
      let from = YAML_PAIR.lastIndex;
      let to = contentEnd;
      while (to > from && (text[to - 1] === ' ' || text[to - 1] === '\t')) to--;
      const value = text.slice(from, to);
      if (/^[|>][-+]?$/.test(value)) scalarIndent = indent;
      else if (value !== '' && value !== '""' && value !== "''" && !value.startsWith('{{')) {
        if ((value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
          from++;
          to--;
        }
        scan.mask(from, to);
      }
    }
    line = lineEnd + 1;
  }
  return line;
}
