import { z } from 'zod';
import { OperatorError } from '../domain/errors.ts';
import { AlertWebhookEnvSchema, alertWebhookProblems } from './alerts.ts';
import { BackendEnvSchema } from './backends.ts';
import { blankToUndefined, booleanWithDefault, intInRange, optionalString } from './fields.ts';
import { ModelEnvSchema, modelConfigProblems } from './model.ts';

/**
 * Every variable the product reads, validated at start. Names are a promise to users (never
 * renamed); problems are reported all at once, each naming its variable and saying how to fix it.
 */

const optionalUrl = (what: string) =>
  z.preprocess(blankToUndefined, z.url(`must be a URL (${what})`).optional());

const idList = (pattern: RegExp, what: string) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    z.array(z.string().regex(pattern, `each entry must be ${what}`)),
  );

export const EnvSchema = z
  .object({
    SLACK_BOT_TOKEN: z.preprocess(
      blankToUndefined,
      z.string().startsWith('xoxb-', 'must be a bot token starting with xoxb-').optional(),
    ),
    SLACK_APP_TOKEN: z.preprocess(
      blankToUndefined,
      z.string().startsWith('xapp-', 'must be an app-level token starting with xapp-').optional(),
    ),
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_API_URL: optionalUrl('e.g. https://slack.com/api/'),
    PORT: intInRange(3000, 0, 65535),
    ALERT_CHANNELS: idList(/^[CG][A-Z0-9]+$/, 'a channel ID like C0123ABCD'),
    APPROVERS: idList(/^[UWS][A-Z0-9]+$/, 'a user ID (U…/W…) or user-group ID (S…)'),
    // The person who raised an incident may not approve its restart.
    APPROVAL_NO_SELF: booleanWithDefault(false),
    // Distinct approvers a restart needs (a two-person rule is 2); it runs once, on the last.
    APPROVALS_REQUIRED: intInRange(1, 1, 5),
    ESCALATION_CHANNEL: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^[CG][A-Z0-9]+$/, 'must be a channel ID like C0123ABCD')
        .optional(),
    ),
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl('an OpenAI-compatible endpoint, e.g. https://api.openai.com/v1'),
    OPENAI_MODEL: z.preprocess(blankToUndefined, z.string().default('gpt-4o-mini')),
    ...ModelEnvSchema.shape,
    DATABASE_URL: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(
          /^postgres(ql)?:\/\//,
          'must be a postgres:// URL (leave unset for the embedded database)',
        )
        .optional(),
    ),
    DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./data')),
    FLEET_FILE: optionalString,

    // Tunables, with the documented defaults (README, Configuration).
    RESTART_THRESHOLD_PERCENT: intInRange(90, 1, 100),
    RESTART_BUDGET: intInRange(1, 0, 100),
    RESTART_BUDGET_WINDOW_MINUTES: intInRange(30, 1, 24 * 60),
    PROPOSAL_TTL_MINUTES: intInRange(30, 1, 24 * 60),
    PLANNER_MAX_TURNS: intInRange(6, 1, 20),
    // Long enough for reasoning models, which often think for tens of seconds before answering.
    PLANNER_CALL_TIMEOUT_MS: intInRange(60_000, 100, 600_000),
    PLANNER_DEADLINE_MS: intInRange(120_000, 1_000, 1_800_000),
    TOOL_TIMEOUT_MS: intInRange(10_000, 100, 600_000),
    VERIFY_ATTEMPTS: intInRange(3, 1, 20),
    VERIFY_INTERVAL_MS: intInRange(10_000, 0, 600_000),
    TOOL_RESULT_MAX_CHARS: intInRange(4_000, 200, 100_000),
    // Slack intake and scale-out.
    ALERT_GROUP_WINDOW_MINUTES: intInRange(15, 1, 24 * 60),
    INVESTIGATION_CONCURRENCY: intInRange(4, 1, 200),
    MODEL_CONCURRENCY: intInRange(4, 1, 200),
    JOB_LEASE_SECONDS: intInRange(60, 1, 3600),
    SLACK_WRITE_INTERVAL_MS: intInRange(1000, 0, 10_000),
    SLACK_EDITS_PER_MINUTE: intInRange(50, 1, 100_000),
    LOG_LEVEL: z.preprocess(
      blankToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    ...BackendEnvSchema.shape,
    ...AlertWebhookEnvSchema.shape,
  })
  .superRefine((config, ctx) => {
    for (const { variable, message } of modelConfigProblems(config))
      ctx.addIssue({ code: 'custom', path: [variable], message });
    for (const { variable, message } of alertWebhookProblems(config))
      ctx.addIssue({ code: 'custom', path: [variable], message });
  });

/** The validated configuration; read-only, so a command's flags are overrides before parsing, never edits after. */
export type Config = Readonly<z.infer<typeof EnvSchema>>;

/** Every variable name the product reads. */
export type EnvName = keyof z.input<typeof EnvSchema>;

export class ConfigError extends OperatorError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(
      'config',
      `Configuration problems (set these in .env or the environment; see .env.example):\n${problems
        .map((p) => `  - ${p}`)
        .join('\n')}`,
    );
    this.problems = problems;
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = EnvSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const [name, index] = issue.path;
      const where =
        typeof index === 'number' ? `${String(name)} (entry ${index + 1})` : String(name);
      return `${where}: ${issue.message}`;
    }),
  );
}
