import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export type CliRun = { code: number; stdout: string; stderr: string };

/**
 * A terminal command (`npm run <name>`) as a child process, with no terminal attached (stdin is
 * not a TTY), in an empty folder (no .env) and a bare environment: what a script or CI sees.
 */
export function runCli(
  script: 'triage' | 'decide' | 'audit' | 'demo' | 'eval' | 'model-check',
  args: string[],
  options: { dataDir?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const cwd = mkdtempSync(join(tmpdir(), `lzo-${script}-`));
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, 'src/cli', `${script}.ts`), ...args],
      {
        cwd,
        env: {
          PATH: process.env.PATH ?? '',
          DATA_DIR: options.dataDir ?? join(cwd, 'data'),
          NO_COLOR: '1',
          ...options.env,
        },
        timeout: options.timeoutMs ?? 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'lzo-data-'));
}
