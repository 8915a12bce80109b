import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = resolve(import.meta.dirname, '../../src/main.ts');

/** `npm start` in an empty folder (no .env), with only the variables given. */
function start(env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'lzo-start-'));
  return spawnSync(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: join(cwd, 'data'), ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('npm start with missing or malformed Slack settings', () => {
  it('names every missing variable in one message and exits 2', () => {
    const run = start({});
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/SLACK_BOT_TOKEN: required/);
    expect(run.stderr).toMatch(/SLACK_APP_TOKEN or SLACK_SIGNING_SECRET/);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('names each malformed variable', () => {
    const run = start({
      SLACK_BOT_TOKEN: 'xoxp-a-user-token',
      SLACK_APP_TOKEN: 'not-an-app-token',
      APPROVERS: 'U0OK,alice',
      PORT: 'eighty',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/SLACK_BOT_TOKEN: must be a bot token starting with xoxb-/);
    expect(run.stderr).toMatch(/SLACK_APP_TOKEN: must be an app-level token starting with xapp-/);
    expect(run.stderr).toMatch(/APPROVERS \(entry 2\)/);
    expect(run.stderr).toMatch(/PORT: must be a whole number/);
  });
});
