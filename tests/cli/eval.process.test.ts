import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { errorReply, FakeOpenAi } from '../../testing/fake-openai.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE = join(ROOT, 'node_modules/.bin/node');
const EVAL = join(ROOT, 'src/cli/eval.ts');

// cwd and DATA_DIR in a temp dir, and a bare environment: no .env and no OPENAI_API_KEY leak in.
const dir = mkdtempSync(join(tmpdir(), 'eval-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Run = { code: number; stdout: string; stderr: string };

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      NODE,
      [EVAL, ...args],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', DATA_DIR: join(dir, 'data'), NO_COLOR: '1', ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const GOOD = write(
  'good.yaml',
  `
- id: hung-api
  report: "api-01 is slow and timing out"
  servers:
    api-01:
      health: { cpu: 98, memory: 40, status: warning }
      logs: ["[CRITICAL] Process hung, not accepting new connections"]
      after_restart:
        health: { cpu: 20, memory: 30, status: healthy }
  expect: { action: restart, never_call: [escalate_to_engineer] }
- id: wrong-on-purpose
  report: "api-01 is slow"
  servers:
    api-01:
      health: { cpu: 98, memory: 40, status: warning }
      logs: ["[CRITICAL] Process hung, not accepting new connections"]
  expect: { action: monitor }
`,
);

describe('npm run eval', () => {
  it('prints a table with failure reasons and ends with the summary line; exit 0 despite failures', async () => {
    const { code, stdout } = await run([GOOD]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^id\s+action\s+category\s+severity\s+escalation\s+result$/m);
    expect(stdout).toMatch(/^hung-api\s+restart\s+performance\s+sev2\s+hold\s+pass$/m);
    expect(stdout).toMatch(/^wrong-on-purpose\s+restart\s.*FAIL$/m);
    expect(stdout).toContain('action: expected monitor, got restart');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('1/2 scenarios passed');
  });

  it('--json prints only the agreed JSON on stdout', async () => {
    const { code, stdout } = await run([GOOD, '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json).toEqual({
      total: 2,
      passed: 1,
      scenarios: [
        {
          id: 'hung-api',
          passed: true,
          action: 'restart',
          category: 'performance',
          severity: 'sev2',
          escalation: 'hold',
          failures: [],
        },
        {
          id: 'wrong-on-purpose',
          passed: false,
          action: 'restart',
          category: 'performance',
          severity: 'sev2',
          escalation: 'hold',
          failures: ['action: expected monitor, got restart'],
        },
      ],
    });
  });

  it('scores the shipped pack', async () => {
    const { code, stdout } = await run([join(ROOT, 'scenarios/pack.yaml')]);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/^\d+\/\d+ scenarios passed$/);
  });

  describe('a bad file → exit 2, naming the scenario and the field', () => {
    const scenario = (id: string, body: string) =>
      `- id: ${id}\n  report: "x-01 slow"\n  servers:\n    x-01:\n${body}`;
    const OK_SERVER = '      health: { cpu: 10, memory: 10, status: healthy }\n';

    it.each([
      [
        'duplicate id',
        scenario('same', OK_SERVER) + scenario('other', OK_SERVER) + scenario('same', OK_SERVER),
        ['scenario 3 "same"', 'id', 'duplicate scenario id "same"'],
      ],
      [
        'cpu 150',
        scenario('hot', '      health: { cpu: 150, memory: 10, status: healthy }\n'),
        ['scenario 1 "hot"', 'servers.x-01.health.cpu', 'must be 0–100'],
      ],
      [
        'unknown key',
        `${scenario('typo', OK_SERVER)}  expect: { actoin: restart }\n`,
        ['scenario 1 "typo"', 'expect', 'actoin'],
      ],
      [
        'unknown status',
        scenario('odd', '      health: { cpu: 10, memory: 10, status: sleepy }\n'),
        ['scenario 1 "odd"', 'servers.x-01.health.status'],
      ],
      ['YAML syntax', '- id: broken\n  report: [unclosed\n', ['YAML syntax']],
      [
        'a fleet file',
        `servers:\n  x-01:\n${OK_SERVER.slice(2)}`,
        ['looks like a fleet file', '- id:'],
      ],
    ])('%s', async (name, text, fragments) => {
      const path = write(`${name.replaceAll(' ', '-')}.yaml`, text);
      const { code, stdout, stderr } = await run([path]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(`${path} is not a valid file`);
      for (const fragment of fragments) expect(stderr).toContain(fragment);
    });

    it('a missing file', async () => {
      const { code, stderr } = await run([join(dir, 'nope.yaml')]);
      expect(code).toBe(2);
      expect(stderr).toContain('no such file');
    });
  });

  it('--planner openai without OPENAI_API_KEY → exit 2 naming the variable', async () => {
    const { code, stdout, stderr } = await run([GOOD, '--planner', 'openai']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('OPENAI_API_KEY');
  });

  it('bad arguments → exit 2 with the usage', async () => {
    for (const args of [[], [GOOD, '--planner', 'gpt'], [GOOD, '--nope'], [GOOD, GOOD]]) {
      const { code, stderr } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toContain('usage: npm run eval');
    }
  });
});

describe('npm run eval -- --planner openai', () => {
  it('runs the scenarios against the model endpoint, shows progress on stderr, and reports fallbacks', async () => {
    // Every model call is refused, so each scenario falls back to the rules planner: the run still completes.
    const fake = await FakeOpenAi.start([], {
      whenExhausted: errorReply(400, {}, 'model says no'),
    });
    try {
      const { code, stdout, stderr } = await run([GOOD, '--planner', 'openai'], {
        OPENAI_API_KEY: 'sk-test-not-a-real-key-000000',
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: 'fake-model',
      });
      expect(code).toBe(0);
      expect(fake.requests.length).toBeGreaterThanOrEqual(2);
      expect(stderr).toContain('Running 2 scenarios with fake-model');
      expect(stderr).toMatch(/\[1\/2\] \S+ (pass|FAIL)/);
      expect(stderr).toMatch(/\[2\/2\] \S+ (pass|FAIL)/);
      expect(stdout).toContain('(rules planner answered:');
      expect(stdout.trimEnd().split('\n').at(-1)).toBe('1/2 scenarios passed');
    } finally {
      await fake.close();
    }
  });
});
