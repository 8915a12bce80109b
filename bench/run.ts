import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { EXIT, runMain } from '../src/root/process.ts';
import { runCeiling } from './ceiling.ts';
import { runCorrelatedStorm } from './correlated.ts';
import {
  BenchResult,
  type CeilingFigures,
  type CorrelatedFigures,
  type LatencyFigures,
  type StormFigures,
} from './figures.ts';
import { benchServers, writeFleet } from './fleet.ts';
import { runLatencyPhase } from './latency.ts';
import { createSchema } from './postgres.ts';
import { Progress } from './progress.ts';
import { BenchError } from './replica.ts';
import { buildTargets, renderReport } from './report.ts';
import { parseSettings, type Settings, USAGE } from './settings.ts';
import { runStorm } from './storm.ts';

/**
 * `npm run bench`: the real bot (`npm start`, HTTP mode) against a fake Slack Web API and a
 * scripted OpenAI-compatible model, all on loopback. Prints the figures (stdout), progress
 * (stderr), and with --json writes them. Exit 0 when the run completed — even if a target failed,
 * which the figures say — and 1 only when the bench itself could not run.
 */

function commandLine(argv: readonly string[]): string {
  const quoted = argv.map((a) =>
    /^[\w./:=@%+-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`,
  );
  const args = quoted.join(' ');
  if (process.env.npm_lifecycle_event === 'bench')
    return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `node bench/run.ts${args ? ` ${args}` : ''}`;
}

/** The code measured: the commit, "-dirty" when the working tree has changes. */
function revision(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: import.meta.dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

function machine() {
  const all = cpus();
  return {
    cpus: all.length,
    cpuModel: all[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${platform()} ${release()}`,
  };
}

async function bench(settings: Settings, argv: readonly string[]): Promise<BenchResult> {
  const progress = new Progress();
  // PostgreSQL first: when it is down, say so before spending a minute on the other phases.
  const schema =
    settings.skipStorm || settings.skipPostgres ? null : await createSchema(settings.databaseUrl);
  const work = await mkdtemp(join(tmpdir(), 'lzo-bench-'));
  try {
    const servers = benchServers(settings.servers);
    const fleetFile = await writeFleet(work, servers);
    progress.say(
      `fleet of ${servers.length} servers in ${fleetFile}; model latency ${settings.latencyMs} ms per call`,
    );

    const latency: LatencyFigures | null = settings.skipLatency
      ? null
      : await runLatencyPhase({
          settings,
          servers,
          fleetFile,
          dataDir: join(work, 'latency-data'),
          cwd: work,
          progress,
        });

    let postgres: StormFigures | null = null;
    if (schema) {
      progress.say(`storm/postgres: schema ${schema.schema}`);
      postgres = await runStorm({
        settings,
        store: { kind: 'postgres', databaseUrl: schema.url },
        replicas: settings.replicas,
        servers,
        fleetFile,
        cwd: work,
        progress,
      });
    }

    let embedded: StormFigures | null = null;
    if (!settings.skipStorm && !settings.skipEmbedded) {
      embedded = await runStorm({
        settings,
        store: { kind: 'embedded', dataDir: join(work, 'storm-data') },
        replicas: 1,
        servers,
        fleetFile,
        cwd: work,
        progress,
      });
    }

    // The webhook phases, each on a fresh PostgreSQL schema of its own.
    const webhooks = !settings.skipStorm && !settings.skipPostgres;
    let correlated: CorrelatedFigures | null = null;
    if (webhooks && !settings.skipCorrelated) {
      const own = await createSchema(settings.databaseUrl);
      try {
        correlated = await runCorrelatedStorm({
          settings,
          databaseUrl: own.url,
          cwd: work,
          progress,
        });
      } finally {
        await own.drop().catch(() => {});
      }
    }
    let ceiling: CeilingFigures | null = null;
    if (webhooks && !settings.skipCeiling) {
      const own = await createSchema(settings.databaseUrl);
      try {
        ceiling = await runCeiling({ settings, databaseUrl: own.url, cwd: work, progress });
      } finally {
        await own.drop().catch(() => {});
      }
    }

    const storm = { postgres, embedded };
    // Validated against the declared shape: a figure of the wrong kind is a bench bug, not a result.
    return BenchResult.parse({
      when: new Date().toISOString(),
      command: commandLine(argv),
      settings: {
        latencyMs: settings.latencyMs,
        alerts: settings.alerts,
        durationS: settings.durationS,
        servers: settings.servers,
        replicas: settings.replicas,
        mentions: settings.mentions,
        latencySpacingMs: settings.latencySpacingMs,
        commands: settings.commands,
        clickBriefs: settings.clickBriefs,
        drainTimeoutS: settings.drainTimeoutS,
        writeIntervalMs: settings.writeIntervalMs,
        quick: settings.quick,
        stormServers: settings.stormServers,
        correlatedAlerts: settings.correlatedAlerts,
        ceilingRates: settings.ceilingRates,
        ceilingStepS: settings.ceilingStepS,
        skipped: {
          storm: settings.skipStorm,
          postgres: settings.skipPostgres,
          embedded: settings.skipEmbedded,
          latency: settings.skipLatency,
          correlated: settings.skipCorrelated,
          ceiling: settings.skipCeiling,
        },
        machine: machine(),
        revision: revision(),
      },
      latency,
      storm,
      correlated,
      ceiling,
      targets: buildTargets(latency, storm, { correlated, ceiling }),
    });
  } finally {
    await rm(work, { recursive: true, force: true });
    await schema
      ?.drop()
      .catch((error) => progress.say(`could not drop schema ${schema.schema}: ${String(error)}`));
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const settings = parseSettings(argv);
  if (!settings) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  let result: BenchResult;
  try {
    result = await bench(settings, argv);
  } catch (error) {
    if (!(error instanceof BenchError)) throw error;
    process.stderr.write(`bench could not run: ${error.message}\n`);
    return EXIT.failure;
  }
  process.stdout.write(renderReport(result));
  if (settings.json) {
    await mkdir(dirname(settings.json), { recursive: true });
    await writeFile(settings.json, `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`figures written to ${settings.json}\n`);
  }
  return EXIT.ok;
}

if (import.meta.main) await runMain(main);
