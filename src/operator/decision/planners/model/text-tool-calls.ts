import { isRecord, jsonSpans, tryJson, withoutReasoning } from './json-text.ts';

/**
 * Tool calls a model wrote into its text instead of the structured `tool_calls` field — what
 * happens when a server's chat template or parser does not recognise the model's format. The
 * formats read here are the models' own:
 * - Hermes / Qwen: `<tool_call>{"name": …, "arguments": {…}}</tool_call>` (NousResearch Hermes
 *   function-calling format; vLLM's hermes tool parser);
 * - Qwen3-Coder XML: `<tool_call><function=NAME><parameter=P>value</parameter></function></tool_call>`
 *   (seen in LM Studio answers, lmstudio-bug-tracker#2115);
 * - Llama 3.1 custom tools: `<function=NAME>{…}</function>` (meta-llama/llama-models,
 *   models/llama3_1/api/tool_utils.py), and Groq's `failed_generation` variant `<function=NAME={…}</function>`;
 * - Llama 3.x JSON tool calls after `<|python_tag|>`, with `parameters` instead of `arguments`;
 * - a bare `{"name": …, "arguments": {…}}` (or a list of them, or `{"tool_calls": […]}`).
 * Only names of tools that exist count, so an answer that merely mentions a tool is not a call.
 */

export type TextToolCall = { name: string; arguments: string };

function argumentsText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value ?? {});
}

/** A JSON value as calls, in the shapes models use. */
function callsFromJson(value: unknown): TextToolCall[] {
  if (Array.isArray(value)) return value.flatMap(callsFromJson);
  if (!isRecord(value)) return [];
  if (Array.isArray(value.tool_calls)) return value.tool_calls.flatMap(callsFromJson);
  const fn = isRecord(value.function) ? value.function : value;
  const name = fn.name;
  if (typeof name !== 'string') return [];
  const args = fn.arguments ?? fn.parameters ?? value.arguments ?? value.parameters ?? {};
  return [{ name, arguments: argumentsText(args) }];
}

function xmlParameters(body: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const m of body.matchAll(/<parameter=([\w.-]+)>\s*([\s\S]*?)\s*<\/parameter>/g)) {
    const [, key, raw = ''] = m;
    if (!key) continue;
    const parsed = tryJson(raw);
    args[key] = parsed === undefined ? raw : parsed;
  }
  return args;
}

export function parseTextToolCalls(text: string, known: ReadonlySet<string>): TextToolCall[] {
  const visible = withoutReasoning(text);
  const calls: TextToolCall[] = [];
  // <tool_call>…</tool_call>: JSON inside, or Qwen3-Coder's XML.
  for (const m of visible.matchAll(/<tool_call>\s*([\s\S]*?)\s*(?:<\/tool_call>|$)/g)) {
    const body = m[1] ?? '';
    const xml = /<function=([\w.-]+)>([\s\S]*?)(?:<\/function>|$)/.exec(body);
    if (xml?.[1])
      calls.push({ name: xml[1], arguments: JSON.stringify(xmlParameters(xml[2] ?? '')) });
    else for (const span of jsonSpans(body)) calls.push(...callsFromJson(tryJson(span)));
  }
  if (calls.length === 0)
    // <function=NAME>{…}</function> and Groq's <function=NAME={…}</function>.
    for (const m of visible.matchAll(/<function=([\w.-]+)\s*>?\s*=?\s*(\{[\s\S]*?)<\/function>/g)) {
      const [span] = jsonSpans(m[2] ?? '');
      if (m[1] && span) calls.push({ name: m[1], arguments: span });
    }
  // Mistral: `[TOOL_CALLS][{"name": …, "arguments": {…}}]`, or since the v11 tokenizer
  // `[TOOL_CALLS]NAME[ARGS]{…}` (mistralai/mistral-common; vLLM mistral_tool_parser.py).
  if (calls.length === 0 && visible.includes('[TOOL_CALLS]'))
    for (const part of visible.split('[TOOL_CALLS]').slice(1)) {
      const named = /^\s*([\w.-]+)\s*\[ARGS\]/.exec(part);
      const [span] = jsonSpans(named ? part.slice(named[0].length) : part, named ? '{' : '[');
      if (named?.[1] && span) calls.push({ name: named[1], arguments: span });
      else if (span) calls.push(...callsFromJson(tryJson(span)));
      else for (const obj of jsonSpans(part)) calls.push(...callsFromJson(tryJson(obj)));
    }
  // DeepSeek V3/R1 tool-call tokens left in the text by a server without its parser:
  // `<｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\n{…}\n```<｜tool▁call▁end｜>`
  // (deepseek-ai/DeepSeek-V3 chat template; vLLM deepseekv3_tool_parser.py).
  if (calls.length === 0)
    for (const m of visible.matchAll(
      /<｜tool▁sep｜>([\w.-]+)\s*(?:```(?:json)?)?\s*(\{[\s\S]*?\})\s*(?:```)?\s*<｜tool▁call▁end｜>/g,
    ))
      if (m[1] && m[2]) calls.push({ name: m[1], arguments: m[2] });
  if (calls.length === 0 && visible.includes('<|python_tag|>'))
    for (const part of visible.split('<|python_tag|>').slice(1))
      for (const span of jsonSpans(part)) calls.push(...callsFromJson(tryJson(span)));
  if (calls.length === 0) {
    // A bare call: the whole visible text (fences aside) is the JSON of one or more calls.
    const bare = visible.replace(/```[a-zA-Z]*\n?|```/g, '').trim();
    if (bare.startsWith('{') || bare.startsWith('[')) calls.push(...callsFromJson(tryJson(bare)));
  }
  return calls.filter((c) => known.has(c.name));
}
