import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = resolve(import.meta.dirname, '../../src/main.ts');

/** A bot process, as a deployment runs it: `npm start` with its environment. */
export type Replica = {
  name: string;
  process: ChildProcess;
  port: number;
  /** POST /slack/events on this replica. */
  url: string;
  /** The last lines it logged, for failure messages. */
  log: string[];
  /**
   * What went wrong in the process by its own account: fatal or unhandled-rejection log lines, and
   * an exit nobody asked for (not stop() or kill()). A suite checks it is empty after each test.
   */
  problems: string[];
  stop(): Promise<void>;
  kill(): Promise<void>;
};

/** Fails (with the processes' own words) when any replica logged a crash or exited unasked. */
export function expectNoCrashes(replicas: readonly Replica[]): void {
  const problems = replicas.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`));
  if (problems.length > 0) throw new Error(`replica problems:\n${problems.join('\n')}`);
}

/** Log lines that mean the process failed on its own: pino's fatal level, or an unhandled rejection. */
function problemIn(line: string): string | null {
  if (/unhandled ?(promise )?rejection|UnhandledPromiseRejection/i.test(line)) return line;
  try {
    const entry = JSON.parse(line) as { level?: unknown };
    if (typeof entry.level === 'number' && entry.level >= 60) return line;
  } catch {
    // a line Node itself printed (a crash's stack) is not JSON
    if (/^\s*(Error|TypeError|RangeError)\b|node:internal/.test(line)) return line;
  }
  return null;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `node src/main.ts` in an empty folder and waits for its "listening" line. */
export async function startReplica(
  name: string,
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<Replica> {
  const cwd = mkdtempSync(join(tmpdir(), `lzo-${name}-`));
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: join(cwd, 'data'),
      LOG_LEVEL: 'info',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  const problems: string[] = [];
  let asked = false;
  child.once('exit', (code, signal) => {
    if (!asked) problems.push(`exited on its own (code ${code}, signal ${signal})`);
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`${name} did not start within ${timeoutMs} ms:\n${log.slice(-20).join('\n')}`),
        ),
      timeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`${name} exited with ${code} before listening:\n${log.slice(-20).join('\n')}`),
      );
    });
    const lines = createInterface({ input: child.stderr ?? process.stdin });
    lines.on('line', (line) => {
      log.push(line);
      if (log.length > 200) log.shift();
      const problem = problemIn(line);
      if (problem) problems.push(problem);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: unknown };
        if (entry.msg === 'Level Zero Operator is listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolvePort(entry.port);
        }
      } catch {
        // not JSON: kept in the log for failure messages
      }
    });
  });
  return {
    name,
    process: child,
    port,
    url: `http://127.0.0.1:${port}/slack/events`,
    log,
    problems,
    stop: async () => {
      asked = true;
      child.kill('SIGTERM');
      await exited(child);
    },
    kill: async () => {
      asked = true;
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
