import { config as loadDotenv } from 'dotenv';
import { type Config, type EnvName, parseConfig } from '../config/env.ts';

export type Environment = {
  /** The variables as this process sees them: the real environment, then `.env` for what it lacks. */
  env: Readonly<Record<string, string | undefined>>;
  config: Config;
};

/**
 * The one place that reads the process environment. `.env` fills in what the real environment
 * does not set (it never overrides it), command-line flags override both, and the result is
 * validated once; nothing is changed afterwards.
 */
export function readEnvironment(overrides: Partial<Record<EnvName, string>> = {}): Environment {
  const env: Record<string, string | undefined> = { ...process.env };
  loadDotenv({ quiet: true, processEnv: env });
  Object.assign(env, overrides);
  return { env, config: parseConfig(env) };
}
