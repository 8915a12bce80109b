import type { Config } from '../../config/env.ts';
import { modelConfigured } from '../../config/model.ts';
import type { Clock } from '../../domain/clock.ts';
import { OpenAiChatModel, type OpenAiChatModelOptions } from './chat-model.ts';

/**
 * The adapter as configuration describes it, or null when no model endpoint is configured (no
 * OPENAI_API_KEY and no OPENAI_BASE_URL: the rules planner decides).
 */
export function openAiChatModelFrom(
  config: Config,
  overrides: Partial<OpenAiChatModelOptions> & { clock?: Clock } = {},
): OpenAiChatModel | null {
  if (!modelConfigured(config)) return null;
  return new OpenAiChatModel({
    model: config.OPENAI_MODEL,
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    azureApiVersion: config.OPENAI_API_VERSION,
    defaultHeaders: config.OPENAI_DEFAULT_HEADERS,
    stream: config.OPENAI_STREAM,
    reasoningEffort: config.OPENAI_REASONING_EFFORT,
    maxCompletionTokens: config.OPENAI_MAX_COMPLETION_TOKENS,
    structuredOutput: config.OPENAI_STRUCTURED_OUTPUT,
    ...overrides,
  });
}
