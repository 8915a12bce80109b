import type { RecordedRequest } from './fake-openai.ts';

/**
 * An estimate of the prompt tokens of one chat-completions request, as the model reads it: the
 * text of every message (content, tool-call names and arguments) plus the tool definitions and
 * any response format as JSON, at four characters a token — the rule of thumb OpenAI gives for
 * English text ("What are tokens and how to count them?", help.openai.com). It is an estimate,
 * not a tokenizer: JSON and identifiers split into more tokens than prose, so real counts run
 * higher for JSON-heavy prompts, and each message also costs a few tokens of framing (counted as
 * 4 here).
 */
export function estimatePromptTokens(request: RecordedRequest): number {
  let chars = 0;
  for (const m of request.body.messages) {
    chars += 16; // the role and message framing
    if (typeof m.content === 'string') chars += m.content.length;
    for (const call of m.tool_calls ?? [])
      chars += call.function.name.length + call.function.arguments.length;
  }
  if (request.body.tools) chars += JSON.stringify(request.body.tools).length;
  if (request.body.response_format) chars += JSON.stringify(request.body.response_format).length;
  return Math.ceil(chars / 4);
}
