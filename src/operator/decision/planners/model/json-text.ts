/**
 * Finding JSON inside a model's text: models wrap it in prose, markdown fences and reasoning
 * blocks, and sometimes show an example before the real thing.
 */

/**
 * The text without reasoning blocks: `<think>…</think>`, `<thinking>…</thinking>`, Magistral's
 * `[THINK]…[/THINK]` (docs.mistral.ai/capabilities/reasoning), Kimi's `◁think▷…◁/think▷`
 * (MoonshotAI Kimi-VL-Thinking) and Seed-OSS's `<seed:think>…</seed:think>`.
 */
export function withoutReasoning(text: string): string {
  let out = text
    .replace(/<(think|thinking|reasoning|seed:think)>[\s\S]*?<\/\1>/gi, '')
    .replace(/\[THINK\][\s\S]*?\[\/THINK\]/g, '')
    .replace(/◁think▷[\s\S]*?◁\/think▷/g, '');
  // Some reasoning models (DeepSeek R1 distills) omit the opening tag: drop up to a lone closer.
  const closer = /<\/(?:think|thinking|reasoning)>/i.exec(out);
  if (closer) out = out.slice(closer.index + closer[0].length);
  return out;
}

/** Every balanced top-level `{…}` or `[…]` span in the text, in order; strings are respected. */
export function jsonSpans(text: string, open: '{' | '[' = '{'): string[] {
  const close = open === '{' ? '}' : ']';
  const spans: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === open) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === close && depth > 0) {
      depth--;
      if (depth === 0) spans.push(text.slice(start, i + 1));
    }
  }
  return spans;
}

/** Fenced code blocks (```json … ```), in order. */
export function fencedBlocks(text: string): string[] {
  return [...text.matchAll(/```[a-zA-Z]*[ \t]*\n?([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim());
}

/**
 * JSON as models write it, repaired only where the meaning is unambiguous: raw control characters
 * (a newline, a tab) inside strings are escaped, and a comma before a closing bracket is dropped —
 * the two slips local models make most in long JSON answers.
 */
export function lenientJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString) {
      if (c === '\\') {
        out += c + (text[i + 1] ?? '');
        i++;
      } else if (c === '"') {
        inString = false;
        out += c;
      } else if (c < ' ') out += c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : ' ';
      else out += c;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      const rest = /^\s*([}\]])/.exec(text.slice(i + 1));
      if (rest) continue;
    }
    out += c;
  }
  return out;
}

/** Parses JSON, or the lenient repair of it; throws the original error when neither parses. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    try {
      return JSON.parse(lenientJson(text));
    } catch {
      throw error;
    }
  }
}

export function tryJson(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
