import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/env.ts';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('starts with nothing set, with the documented defaults', () => {
    const config = parseConfig({});
    for (const unset of [
      'SLACK_BOT_TOKEN',
      'SLACK_APP_TOKEN',
      'SLACK_SIGNING_SECRET',
      'ESCALATION_CHANNEL',
      'OPENAI_API_KEY',
      'DATABASE_URL',
      'FLEET_FILE',
    ] as const)
      expect(config[unset], unset).toBeUndefined();
    expect(config).toMatchObject({
      PORT: 3000,
      ALERT_CHANNELS: [],
      APPROVERS: [],
      DATA_DIR: './data',
      OPENAI_MODEL: 'gpt-4o-mini',
      RESTART_THRESHOLD_PERCENT: 90,
      RESTART_BUDGET: 1,
      RESTART_BUDGET_WINDOW_MINUTES: 30,
      PROPOSAL_TTL_MINUTES: 30,
      PLANNER_MAX_TURNS: 6,
      LOG_LEVEL: 'info',
    });
  });

  it('reads valid values, lists split on commas with spaces trimmed', () => {
    const config = parseConfig({
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_APP_TOKEN: 'xapp-1-abc',
      PORT: '8080',
      ALERT_CHANNELS: 'C0123ABCD, G0456',
      APPROVERS: ' U012AB , W034CD,S056EF ,',
      ESCALATION_CHANNEL: 'C0ESCALATE',
      DATABASE_URL: 'postgresql://lzo@db/lzo',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      RESTART_BUDGET: '2',
    });
    expect(config.PORT).toBe(8080);
    expect(config.ALERT_CHANNELS).toEqual(['C0123ABCD', 'G0456']);
    expect(config.APPROVERS).toEqual(['U012AB', 'W034CD', 'S056EF']);
    expect(config.DATABASE_URL).toBe('postgresql://lzo@db/lzo');
    expect(config.RESTART_BUDGET).toBe(2);
  });

  it('reports every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      SLACK_BOT_TOKEN: 'xapp-wrong-kind',
      PORT: 'abc',
      APPROVERS: 'U012AB,bob,S056EF',
      DATABASE_URL: 'mysql://db/lzo',
    });
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SLACK_BOT_TOKEN: .*xoxb-/),
        expect.stringMatching(/^PORT: must be a whole number/),
        expect.stringMatching(/^APPROVERS \(entry 2\): .*user ID/),
        expect.stringMatching(/^DATABASE_URL: must be a postgres:\/\/ URL/),
      ]),
    );
  });

  it('puts every problem in the error message, in plain words', () => {
    const parse = () => parseConfig({ PORT: '70000', SLACK_APP_TOKEN: 'xoxb-nope' });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/^ {2}- PORT: must be at most 65535$/m);
    expect(parse).toThrow(
      /^ {2}- SLACK_APP_TOKEN: must be an app-level token starting with xapp-$/m,
    );
  });

  it.each([
    ['PORT', '3000.5'],
    ['PORT', '-1'],
    ['ALERT_CHANNELS', 'general'],
    ['ESCALATION_CHANNEL', '#incidents'],
    ['OPENAI_BASE_URL', 'not a url'],
    ['SLACK_API_URL', 'slack'],
    ['RESTART_THRESHOLD_PERCENT', '101'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%s', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}\\b`));
  });

  it('APPROVALS_REQUIRED and APPROVAL_NO_SELF: one approver and self-approval allowed by default', () => {
    expect(parseConfig({})).toMatchObject({ APPROVALS_REQUIRED: 1, APPROVAL_NO_SELF: false });
    expect(parseConfig({ APPROVALS_REQUIRED: '2', APPROVAL_NO_SELF: 'true' })).toMatchObject({
      APPROVALS_REQUIRED: 2,
      APPROVAL_NO_SELF: true,
    });
    expect(problemsOf({ APPROVALS_REQUIRED: '0', APPROVAL_NO_SELF: 'sometimes' })).toEqual([
      'APPROVAL_NO_SELF: must be true or false',
      'APPROVALS_REQUIRED: must be at least 1',
    ]);
  });

  it('treats blank values as unset', () => {
    const blank = parseConfig({
      SLACK_BOT_TOKEN: '',
      SLACK_APP_TOKEN: '   ',
      PORT: '',
      APPROVERS: ' ',
      ALERT_CHANNELS: '',
      ESCALATION_CHANNEL: '',
      DATABASE_URL: ' ',
      DATA_DIR: '',
      OPENAI_API_KEY: '',
      OPENAI_BASE_URL: '',
      OPENAI_MODEL: '',
      FLEET_FILE: '',
      RESTART_BUDGET: '',
      LOG_LEVEL: '',
    });
    expect(blank).toEqual(parseConfig({}));
  });

  it('reads the model-call options, each unset unless given', () => {
    const unset = parseConfig({});
    for (const name of [
      'OPENAI_API_VERSION',
      'OPENAI_DEFAULT_HEADERS',
      'OPENAI_STREAM',
      'OPENAI_REASONING_EFFORT',
      'OPENAI_MAX_COMPLETION_TOKENS',
      'OPENAI_STRUCTURED_OUTPUT',
    ] as const)
      expect(unset[name], name).toBeUndefined();
    expect(unset.OPENAI_TOOLS).toBe('auto');
    expect(unset.PLANNER_CALL_TIMEOUT_MS).toBe(60_000);
    const set = parseConfig({
      OPENAI_API_KEY: 'k',
      OPENAI_BASE_URL: 'https://res.openai.azure.com',
      OPENAI_API_VERSION: '2024-10-21',
      OPENAI_DEFAULT_HEADERS: '{"X-Gateway-Key":"abc","HTTP-Referer":"https://ops.example.com"}',
      OPENAI_STREAM: 'TRUE',
      OPENAI_REASONING_EFFORT: 'High',
      OPENAI_MAX_COMPLETION_TOKENS: '4096',
      OPENAI_STRUCTURED_OUTPUT: 'json_schema',
      OPENAI_TOOLS: 'off',
    });
    expect(set).toMatchObject({
      OPENAI_DEFAULT_HEADERS: { 'X-Gateway-Key': 'abc', 'HTTP-Referer': 'https://ops.example.com' },
      OPENAI_STREAM: true,
      OPENAI_REASONING_EFFORT: 'high',
      OPENAI_MAX_COMPLETION_TOKENS: 4096,
      OPENAI_STRUCTURED_OUTPUT: 'json_schema',
      OPENAI_TOOLS: 'off',
    });
  });

  it.each([
    ['OPENAI_DEFAULT_HEADERS', 'X-Key: abc', /not JSON/],
    ['OPENAI_DEFAULT_HEADERS', '["a"]', /JSON object/],
    ['OPENAI_DEFAULT_HEADERS', '{"X-Retries": 3}', /"X-Retries" must be a string/],
    ['OPENAI_DEFAULT_HEADERS', '{"bad header": "x"}', /not a valid header name/],
    ['OPENAI_STREAM', 'sometimes', /must be true or false/],
    ['OPENAI_REASONING_EFFORT', 'max', /must be one of none, minimal, low, medium, high, xhigh/],
    ['OPENAI_MAX_COMPLETION_TOKENS', '0', /at least 1/],
    ['OPENAI_STRUCTURED_OUTPUT', 'yes', /must be one of auto, json_schema, tool, off/],
    ['OPENAI_TOOLS', 'on', /must be auto or off/],
  ])('refuses %s=%s in plain words', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(problems[0]).toMatch(message);
  });

  it('Azure OpenAI needs its endpoint and a key, each named', () => {
    expect(problemsOf({ OPENAI_API_VERSION: '2024-10-21' })).toEqual([
      expect.stringMatching(/^OPENAI_BASE_URL: required with OPENAI_API_VERSION \(Azure OpenAI\)/),
      expect.stringMatching(/^OPENAI_API_KEY: required with OPENAI_API_VERSION \(Azure OpenAI\)/),
    ]);
  });
});

describe('alert webhook configuration', () => {
  it('takes the token and the channel together', () => {
    const config = parseConfig({
      ALERT_WEBHOOK_TOKEN: 'a-long-enough-token-123',
      ALERT_WEBHOOK_CHANNEL: 'C0HOOKS1',
    });
    expect(config).toMatchObject({
      ALERT_WEBHOOK_TOKEN: 'a-long-enough-token-123',
      ALERT_WEBHOOK_CHANNEL: 'C0HOOKS1',
    });
    expect(parseConfig({}).ALERT_WEBHOOK_TOKEN).toBeUndefined();
  });

  it.each([
    [
      { ALERT_WEBHOOK_TOKEN: 'short', ALERT_WEBHOOK_CHANNEL: 'C0HOOKS1' },
      /^ALERT_WEBHOOK_TOKEN: must be at least 16 characters/,
    ],
    [
      { ALERT_WEBHOOK_TOKEN: 'a-long-enough-token-123', ALERT_WEBHOOK_CHANNEL: '#alerts' },
      /^ALERT_WEBHOOK_CHANNEL: must be a channel ID/,
    ],
    [
      { ALERT_WEBHOOK_TOKEN: 'a-long-enough-token-123' },
      /^ALERT_WEBHOOK_CHANNEL: required with ALERT_WEBHOOK_TOKEN/,
    ],
    [
      { ALERT_WEBHOOK_CHANNEL: 'C0HOOKS1' },
      /^ALERT_WEBHOOK_TOKEN: required with ALERT_WEBHOOK_CHANNEL/,
    ],
  ])('names the variable to fix: %j', (env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});
