import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { ReplicaFigures } from './figures.ts';
import { parsePrometheus, type Sample, total } from './prometheus.ts';

/**
 * One bot replica: `npm start` (node src/main.ts) as a real child process in HTTP mode, on
 * a port of its own choosing, read from its "listening" log line.
 */

export const MAIN = resolve(import.meta.dirname, '../src/main.ts');

/**
 * The Node flags `npm start` runs the bot with (package.json's start script), so a replica here
 * is the process a deployment runs, memory settings included.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  const words = (pkg.scripts?.start ?? '').split(/\s+/).filter(Boolean);
  return words.slice(1).filter((w) => w.startsWith('--'));
}

/** The bench could not run: a replica did not start, or died. */
export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

const ListeningLine = z
  .object({ msg: z.literal('Level Zero Operator is listening'), port: z.number().int().positive() })
  .loose();
const LogLine = z.object({ level: z.number(), msg: z.string().optional() }).loose();

/** Only what the bot needs from the bench's environment; nothing else (no .env, no real keys) leaks in. */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  return Object.fromEntries(
    keep.flatMap((k) => (process.env[k] !== undefined ? [[k, process.env[k] ?? '']] : [])),
  );
}

const TAIL_LINES = 40;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 60_000;

export type ReplicaLogStats = {
  /** Log lines at warn (40) and at error or worse (50+). */
  warnings: number;
  errors: number;
  /** The first few distinct error messages, for the report. */
  errorMessages: string[];
};

export class Replica {
  readonly name: string;
  readonly port: number;
  private readonly child: ChildProcess;
  private readonly tail: string[];
  private readonly logStats: ReplicaLogStats;
  private exit: { code: number | null; signal: string | null } | null = null;
  private readonly exited: Promise<void>;
  private peakRss: number | null = null;

  private constructor(
    name: string,
    port: number,
    child: ChildProcess,
    tail: string[],
    logStats: ReplicaLogStats,
    exited: Promise<void>,
  ) {
    this.name = name;
    this.port = port;
    this.child = child;
    this.tail = tail;
    this.logStats = logStats;
    this.exited = exited;
    void exited.then(() => {
      this.exit = { code: child.exitCode, signal: child.signalCode };
    });
  }

  /** Starts `node src/main.ts` with exactly `env` (plus PATH/HOME) in `cwd`; resolves once it listens. */
  static async start(name: string, env: Record<string, string>, cwd: string): Promise<Replica> {
    const child = spawn(process.execPath, [...startFlags(), MAIN], {
      cwd,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const stats: ReplicaLogStats = { warnings: 0, errors: 0, errorMessages: [] };
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const remember = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) remember(`[stdout] ${line}`);
    });
    const port = await new Promise<number>((resolvePort, reject) => {
      const fail = (why: string) =>
        reject(
          new BenchError(
            `replica ${name} did not start: ${why}\n--- its stderr (last ${tail.length} lines) ---\n${tail.join('\n')}`,
          ),
        );
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(`no "listening" log line within ${START_TIMEOUT_MS / 1000} s`);
      }, START_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(error.message);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(`it exited with ${signal ?? `code ${code}`}`);
      });
      if (!child.stderr) return;
      const lines = createInterface({ input: child.stderr });
      lines.on('line', (line) => {
        remember(line);
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          return;
        }
        const log = LogLine.safeParse(json);
        if (log.success && log.data.level >= 40) {
          if (log.data.level >= 50) {
            stats.errors += 1;
            const msg = log.data.msg ?? line.slice(0, 200);
            if (stats.errorMessages.length < 5 && !stats.errorMessages.includes(msg))
              stats.errorMessages.push(msg);
          } else stats.warnings += 1;
        }
        const listening = ListeningLine.safeParse(json);
        if (listening.success) {
          clearTimeout(timer);
          resolvePort(listening.data.port);
        }
      });
    });
    return new Replica(name, port, child, tail, stats, exited);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get eventsUrl(): string {
    return `${this.baseUrl}/slack/events`;
  }

  /** Null while it runs; how it ended once it has. */
  get exitStatus(): { code: number | null; signal: string | null } | null {
    return this.exit;
  }

  get logs(): ReplicaLogStats {
    return { ...this.logStats, errorMessages: [...this.logStats.errorMessages] };
  }

  stderrTail(): string {
    return this.tail.join('\n');
  }

  async metrics(): Promise<Sample[]> {
    const response = await fetch(`${this.baseUrl}/metrics`);
    if (!response.ok)
      throw new BenchError(`replica ${this.name}: GET /metrics answered ${response.status}`);
    return parsePrometheus(await response.text());
  }

  /** The process's peak resident set size so far (VmHWM), in bytes; null where /proc has none. */
  async readPeakRss(): Promise<number | null> {
    try {
      const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
      const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
      if (kb !== undefined) this.peakRss = Number(kb) * 1024;
    } catch {
      // Gone already, or not Linux: keep the last reading.
    }
    return this.peakRss;
  }

  /** SIGTERM (graceful: running investigations finish), then wait; SIGKILL if it hangs. Returns peak RSS. */
  async stop(): Promise<{
    peakRssBytes: number | null;
    exit: { code: number | null; signal: string | null };
  }> {
    const peakRssBytes = await this.readPeakRss();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    return {
      peakRssBytes,
      exit: { code: this.child.exitCode, signal: this.child.signalCode },
    };
  }
}

/**
 * Reads every replica's metrics, then stops each and describes it: what a phase reports about its
 * replicas. `ackedBy` counts the alerts each one acknowledged, when the phase kept count.
 */
export async function stopAndDescribe(
  replicas: readonly Replica[],
  ackedBy: ReadonlyMap<string, number> = new Map(),
): Promise<{ samples: Sample[]; figures: ReplicaFigures[] }> {
  const perReplica = await Promise.all(
    replicas.map(async (r) => ({ replica: r, samples: await r.metrics().catch(() => []) })),
  );
  const figures: ReplicaFigures[] = [];
  for (const { replica, samples } of perReplica) {
    const early = replica.exitStatus;
    const { peakRssBytes } = await replica.stop();
    const logs = replica.logs;
    figures.push({
      name: replica.name,
      peakRssBytes,
      alertsAcked: ackedBy.get(replica.name) ?? 0,
      investigations: total(samples, 'lzo_investigations_total'),
      logErrors: logs.errors,
      logWarnings: logs.warnings,
      errorMessages: logs.errorMessages,
      exitedEarly: early ? `exited with ${early.signal ?? `code ${early.code}`}` : null,
    });
  }
  return { samples: perReplica.flatMap((p) => p.samples), figures };
}
