import { z } from 'zod';
import { TOOL_LIMITS } from '../limits.ts';
import { redactLines } from '../redact.ts';
import { tool } from '../tool.ts';
import { serverId } from './server-id.ts';

function logsSummary(serverId: string, lines: string[]): string {
  if (lines.length === 0) return `${serverId}: no log lines returned`;
  const count = (level: RegExp) => lines.filter((l) => level.test(l)).length;
  const errors = count(/\b(ERROR|FATAL)\b/i);
  const critical = count(/\bCRIT(ICAL)?\b/i);
  const warnings = count(/\bWARN(ING)?\b/i);
  const parts = [
    critical && `${critical} critical`,
    errors && `${errors} error`,
    warnings && `${warnings} warning`,
  ].filter(Boolean);
  return `${serverId}: ${lines.length} recent log lines${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

export const fetchRecentLogs = tool({
  name: 'fetch_recent_logs',
  description: 'The newest log lines of one server, oldest first, secrets redacted. Read-only.',
  arguments: z.strictObject({
    server_id: serverId,
    lines: z
      .number()
      .int()
      .min(1)
      .default(TOOL_LIMITS.defaultLogLines)
      .transform((n) => Math.min(n, TOOL_LIMITS.maxLogLines))
      .describe(`how many of the newest lines (at most ${TOOL_LIMITS.maxLogLines})`),
  }),
  gate: 'read',
  backend: (backends) => backends.logs,
  subject: (args) => args.server_id,
  async run({ server_id, lines }, { backend, signal }) {
    // One line more than wanted tells whether older lines exist (`truncated`).
    const sample = await backend.fetchLogs(server_id, lines + 1, signal);
    // Clipped first, then redacted: a secret cut at the clip point is still masked, and a key
    // block spread over several lines is followed across them.
    const kept = redactLines(sample.lines.slice(-lines), {
      maxLineLength: TOOL_LIMITS.maxLogLineLength,
    });
    return {
      summary: logsSummary(server_id, kept),
      data: { kind: 'logs', lines: kept, truncated: sample.lines.length > lines },
      link: sample.link,
    };
  },
});
