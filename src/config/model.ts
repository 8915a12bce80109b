import { z } from 'zod';
import { blankToUndefined, optionalIntInRange, optionalString } from './fields.ts';

/**
 * Variables of the model planner beyond key, URL and model name: Azure OpenAI, extra headers,
 * streaming, reasoning effort, an output cap, structured output and tools. Merged into the one
 * EnvSchema in env.ts; each is sent to the model endpoint only when it is set.
 */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `OPENAI_DEFAULT_HEADERS`: a JSON object of header names to string values. */
const headersJson = z.preprocess(
  blankToUndefined,
  z
    .string()
    .transform((text, ctx): Record<string, string> => {
      const problem = (message: string) => {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      };
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return problem(
          'must be a JSON object of header names to values, e.g. {"X-Gateway-Key":"abc123"} (this is not JSON)',
        );
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        return problem(
          'must be a JSON object of header names to values, e.g. {"X-Gateway-Key":"abc123"}',
        );
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(parsed)) {
        if (!HEADER_NAME.test(name)) return problem(`"${name}" is not a valid header name`);
        if (typeof value !== 'string')
          return problem(`the value of "${name}" must be a string (put numbers in quotes)`);
        headers[name] = value;
      }
      return headers;
    })
    .optional(),
);

const flag = z.preprocess((v) => {
  const t = typeof v === 'string' ? v.trim().toLowerCase() : v;
  if (t === undefined || t === '') return undefined;
  if (t === 'true' || t === '1' || t === 'yes') return true;
  if (t === 'false' || t === '0' || t === 'no') return false;
  return t;
}, z.boolean({ error: 'must be true or false' }).optional());

const choice = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndefined(v.trim().toLowerCase()) : v),
    z.enum(values, { error: `must be one of ${values.join(', ')}` }).optional(),
  );

export const STRUCTURED_OUTPUT_MODES = ['auto', 'json_schema', 'tool', 'off'] as const;
export type StructuredOutputMode = (typeof STRUCTURED_OUTPUT_MODES)[number];

export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;

export const ModelEnvSchema = z.object({
  /** Set ⇒ Azure OpenAI (AzureOpenAI client, `api-key` header), e.g. 2024-10-21. */
  OPENAI_API_VERSION: optionalString,
  OPENAI_DEFAULT_HEADERS: headersJson,
  OPENAI_STREAM: flag,
  OPENAI_REASONING_EFFORT: choice(REASONING_EFFORTS),
  OPENAI_MAX_COMPLETION_TOKENS: optionalIntInRange(1, 1_000_000),
  OPENAI_STRUCTURED_OUTPUT: choice(STRUCTURED_OUTPUT_MODES),
  OPENAI_TOOLS: z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndefined(v.trim().toLowerCase()) : v),
    z.enum(['auto', 'off'], { error: 'must be auto or off' }).default('auto'),
  ),
});

type ModelFields = z.infer<typeof ModelEnvSchema> & {
  OPENAI_API_KEY?: string | undefined;
  OPENAI_BASE_URL?: string | undefined;
};

/** The rules that involve two variables, each naming the variable to fix. */
export function modelConfigProblems(
  config: ModelFields,
): Array<{ variable: string; message: string }> {
  const problems: Array<{ variable: string; message: string }> = [];
  if (config.OPENAI_API_VERSION) {
    if (!config.OPENAI_BASE_URL)
      problems.push({
        variable: 'OPENAI_BASE_URL',
        message:
          'required with OPENAI_API_VERSION (Azure OpenAI): the resource endpoint, e.g. https://my-resource.openai.azure.com, or a deployment URL ending in /openai/deployments/<name>',
      });
    if (!config.OPENAI_API_KEY)
      problems.push({
        variable: 'OPENAI_API_KEY',
        message:
          'required with OPENAI_API_VERSION (Azure OpenAI): the resource key (Keys and Endpoint in the portal), or a Microsoft Entra access token',
      });
  }
  return problems;
}

/** True when a model endpoint is configured: a key, or a base URL alone (local servers need no key). */
export function modelConfigured(config: ModelFields): boolean {
  return Boolean(config.OPENAI_API_KEY || config.OPENAI_BASE_URL);
}
