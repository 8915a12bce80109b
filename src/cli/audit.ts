import type { AuditEntry } from '../domain/audit.ts';
import { readEnvironment } from '../root/environment.ts';
import { EXIT, runMain } from '../root/process.ts';
import { openStore } from '../root/runtime.ts';
import { paint, parseCommandLine, UsageError } from './common.ts';

export const USAGE = `usage: npm run audit -- [--json] [--incident ID] [--limit N]

  Prints the audit log, newest first, from the store the bot writes (DATA_DIR or DATABASE_URL).
  --json          an array of {"at","incident_id","event","actor","details"}
  --incident ID   only this incident's entries
  --limit N       at most N entries (default: all)`;

function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

export function renderAudit(entries: readonly AuditEntry[], p: ReturnType<typeof paint>): string {
  if (entries.length === 0)
    return 'The audit log is empty: no incident has been triaged with this store yet.\n';
  const rows = entries.map(
    (e) =>
      `${e.at}  ${e.incident_id.padEnd(12)}  ${p('bold', e.event.padEnd(18))}  ${e.actor.padEnd(14)}  ${detailsText(e.details)}`,
  );
  return `${rows.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      json: { type: 'boolean' },
      incident: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}".\n\n${USAGE}`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new UsageError(
      `--limit must be a whole number of at least 1 (got "${values.limit}").\n\n${USAGE}`,
    );
  }
  const store = await openStore(readEnvironment().config);
  try {
    const entries = await store.audit.list({
      ...(values.incident ? { incidentId: values.incident } : {}),
      ...(limit ? { limit } : {}),
    });
    process.stdout.write(
      values.json
        ? `${JSON.stringify(entries, null, 2)}\n`
        : renderAudit(entries, paint(process.stdout)),
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

if (import.meta.main) await runMain(() => main(process.argv.slice(2)));
