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
  stop(): Promise<void>;
  kill(): Promise<void>;
};

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
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
