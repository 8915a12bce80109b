import { parseArgs } from 'node:util';
import { UsageError } from '../src/cli/common.ts';

export const USAGE = `Usage: npm run bench -- [options]

Starts the real bot (npm start, HTTP mode) against a fake Slack Web API and a scripted
OpenAI-compatible model, all on loopback, and prints ack latency, event-to-brief time and its
split, and an alert storm against several replicas on PostgreSQL and one on the embedded store.

Options:
  --json FILE          also write the figures as JSON to FILE
  --latency-ms N       model latency per call, ms (default 500)
  --alerts N           alerts in the storm (default 1000)
  --duration-s N       seconds the storm is spread over (default 60)
  --servers N          distinct servers the alerts name (default 20)
  --replicas N         replicas in the PostgreSQL storm (default 2)
  --write-interval-ms N
                       SLACK_WRITE_INTERVAL_MS for the replicas (default: unset, the bot's
                       default of 1000 ms between writes to one channel)
  --drain-timeout-s N  how long to wait for every brief after the last alert (default 180)
  --database-url URL   PostgreSQL server (default $BENCH_DATABASE_URL or
                       postgres://postgres@127.0.0.1:5432/test); each run uses a fresh schema
  --quick              a small run for smoke tests: 100 alerts over 5 s, 5 servers, latency 50 ms,
                       10 mentions, 5 commands (explicit options still win)
  --storm-servers N    servers sharing one failing dependency in the webhook phases (default 20)
  --correlated-alerts N
                       alerts in the correlated webhook storm (default 1000, over --duration-s)
  --ceiling-rates LIST alerts a minute for each ceiling step, comma-separated
                       (default 10000,20000,30000,45000,60000,90000)
  --ceiling-step-s N   seconds each ceiling step lasts (default 15)
  --skip-latency       no latency phase
  --skip-correlated    no correlated webhook storm
  --skip-ceiling       no ceiling phase
  --skip-storm         only the latency phase
  --skip-embedded      no storm on the embedded store
  --skip-postgres      no storm on PostgreSQL
  -h, --help           this text`;

export type Settings = {
  latencyMs: number;
  alerts: number;
  durationS: number;
  servers: number;
  replicas: number;
  drainTimeoutS: number;
  /** SLACK_WRITE_INTERVAL_MS for the replicas; null leaves the bot's default. */
  writeIntervalMs: number | null;
  /** The latency phase. */
  mentions: number;
  commands: number;
  /** Briefs with buttons whose buttons are clicked (each gets an unauthorized and an authorized click). */
  clickBriefs: number;
  /**
   * The latency phase sends one request at a time, each at least this long after the previous
   * one started: a steady load within Slack's edit budget (50 a minute), so the figures show the
   * bot's latency rather than Slack's rate limits (the storms show those).
   */
  latencySpacingMs: number;
  /** The webhook phases: storm servers, correlated storm size, ceiling steps. */
  stormServers: number;
  correlatedAlerts: number;
  ceilingRates: number[];
  ceilingStepS: number;
  skipLatency: boolean;
  skipCorrelated: boolean;
  skipCeiling: boolean;
  quick: boolean;
  skipStorm: boolean;
  skipEmbedded: boolean;
  skipPostgres: boolean;
  json: string | null;
  databaseUrl: string;
};

const FULL = {
  latencyMs: 500,
  alerts: 1000,
  durationS: 60,
  servers: 20,
  replicas: 2,
  drainTimeoutS: 180,
  mentions: 50,
  commands: 20,
  clickBriefs: 10,
} as const;

const QUICK = {
  latencyMs: 50,
  alerts: 100,
  durationS: 5,
  servers: 5,
  replicas: 2,
  drainTimeoutS: 60,
  mentions: 10,
  commands: 5,
  clickBriefs: 3,
} as const;

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

function wholeNumber(flag: string, raw: string | undefined, min: number, max: number) {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(
      `--${flag} must be a whole number from ${min} to ${max} (got "${raw}")\n\n${USAGE}`,
    );
  return n;
}

function ceilingRates(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const rates = raw.split(',').map((r) => r.trim());
  if (
    rates.length === 0 ||
    rates.some((r) => !/^\d+$/.test(r) || Number(r) < 1 || Number(r) > 10_000_000)
  )
    throw new UsageError(
      `--ceiling-rates must be alerts a minute, comma-separated (e.g. 10000,30000), got "${raw}"\n\n${USAGE}`,
    );
  return rates.map(Number);
}

function parseFlags(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'string' },
      'latency-ms': { type: 'string' },
      alerts: { type: 'string' },
      'duration-s': { type: 'string' },
      servers: { type: 'string' },
      replicas: { type: 'string' },
      'drain-timeout-s': { type: 'string' },
      'write-interval-ms': { type: 'string' },
      'database-url': { type: 'string' },
      quick: { type: 'boolean' },
      'storm-servers': { type: 'string' },
      'correlated-alerts': { type: 'string' },
      'ceiling-rates': { type: 'string' },
      'ceiling-step-s': { type: 'string' },
      'skip-latency': { type: 'boolean' },
      'skip-correlated': { type: 'boolean' },
      'skip-ceiling': { type: 'boolean' },
      'skip-storm': { type: 'boolean' },
      'skip-embedded': { type: 'boolean' },
      'skip-postgres': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The command line as settings; a mistake is a UsageError naming the flag. Null for --help. */
export function parseSettings(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Settings | null {
  let values: ReturnType<typeof parseFlags>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parseFlags(argv));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  if (values.help) return null;
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${USAGE}`);
  if (values.json !== undefined && values.json.trim() === '')
    throw new UsageError(`--json needs a file name\n\n${USAGE}`);

  const base = values.quick ? QUICK : FULL;
  const alerts = wholeNumber('alerts', values.alerts, 1, 1_000_000) ?? base.alerts;
  const servers = wholeNumber('servers', values.servers, 1, 10_000) ?? base.servers;
  if (servers > alerts)
    throw new UsageError(
      `--servers (${servers}) cannot exceed --alerts (${alerts}): every server needs an alert\n\n${USAGE}`,
    );
  const databaseUrl = values['database-url'] ?? env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  if (!/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new UsageError(
      `--database-url must be a postgres:// URL (got "${databaseUrl}")\n\n${USAGE}`,
    );
  return {
    latencyMs: wholeNumber('latency-ms', values['latency-ms'], 0, 600_000) ?? base.latencyMs,
    alerts,
    durationS: wholeNumber('duration-s', values['duration-s'], 1, 86_400) ?? base.durationS,
    servers,
    replicas: wholeNumber('replicas', values.replicas, 1, 16) ?? base.replicas,
    drainTimeoutS:
      wholeNumber('drain-timeout-s', values['drain-timeout-s'], 1, 86_400) ?? base.drainTimeoutS,
    writeIntervalMs:
      wholeNumber('write-interval-ms', values['write-interval-ms'], 0, 10_000) ?? null,
    mentions: base.mentions,
    commands: base.commands,
    clickBriefs: base.clickBriefs,
    // Two edits per investigation with a model (the preliminary brief, then the final one) at
    // Slack's 50 chat.update a minute: one every 2.4 s keeps the phase inside the budget.
    latencySpacingMs: 2_500,
    stormServers:
      wholeNumber('storm-servers', values['storm-servers'], 2, 1_000) ?? (values.quick ? 5 : 20),
    correlatedAlerts:
      wholeNumber('correlated-alerts', values['correlated-alerts'], 1, 1_000_000) ??
      (values.quick ? 100 : 1000),
    ceilingRates:
      ceilingRates(values['ceiling-rates']) ??
      (values.quick ? [3_000, 6_000] : [10_000, 20_000, 30_000, 45_000, 60_000, 90_000]),
    ceilingStepS:
      wholeNumber('ceiling-step-s', values['ceiling-step-s'], 1, 3_600) ?? (values.quick ? 3 : 15),
    skipLatency: values['skip-latency'] ?? false,
    skipCorrelated: values['skip-correlated'] ?? false,
    skipCeiling: values['skip-ceiling'] ?? false,
    quick: values.quick ?? false,
    skipStorm: values['skip-storm'] ?? false,
    skipEmbedded: values['skip-embedded'] ?? false,
    skipPostgres: values['skip-postgres'] ?? false,
    json: values.json ?? null,
    databaseUrl,
  };
}
