import { parse, parseDocument } from 'yaml';
import { z } from 'zod';
import { OperatorError } from '../../domain/errors.ts';
import type { Change } from '../../domain/evidence.ts';

/**
 * One deploy-log entry: what a CD system records and the webhook accepts. Times may carry any
 * offset; they are stored and compared in UTC. Extra fields a CD system adds are ignored.
 */
export const ChangeEntry = z.object({
  service: z.string().trim().min(1, 'service is required').max(200),
  at: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 time, e.g. 2025-03-01T09:00:00Z' })
    .transform((v) => new Date(v).toISOString()),
  description: z.string().trim().min(1, 'description is required').max(2_000),
  author: z.string().trim().min(1).max(200).optional(),
});

export function toChange(entry: z.infer<typeof ChangeEntry>): Change {
  return {
    service: entry.service,
    at: entry.at,
    description: entry.description,
    ...(entry.author ? { author: entry.author } : {}),
  };
}

/** Thrown with every problem of a deploy log, each naming its line or entry. */
export class DeployLogError extends OperatorError {
  readonly problems: string[];

  constructor(file: string, problems: string[]) {
    super(
      'file_format',
      `the deploy log ${file} (CHANGES_FILE) is not valid: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`,
    );
    this.problems = problems;
  }
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.map(String).join('.') || 'entry'}: ${i.message}`)
    .join(', ');
}

/**
 * A deploy log is JSON lines (one change per line, what the webhook appends) or a YAML list
 * (what a human writes). Told apart by the first non-blank character: `{` means JSON lines.
 */
export function parseDeployLog(text: string, file: string): Change[] {
  const trimmed = text.trimStart();
  if (trimmed === '') return [];
  const problems: string[] = [];
  const changes: Change[] = [];
  if (trimmed.startsWith('{')) {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let data: unknown;
      try {
        data = JSON.parse(line);
      } catch {
        problems.push(`line ${i + 1}: not JSON`);
        return;
      }
      const entry = ChangeEntry.safeParse(data);
      if (entry.success) changes.push(toChange(entry.data));
      else problems.push(`line ${i + 1}: ${describe(entry.error)}`);
    });
  } else {
    const doc = parseDocument(text);
    if (doc.errors.length > 0)
      throw new DeployLogError(file, [`YAML syntax: ${doc.errors[0]?.message.split('\n')[0]}`]);
    const data: unknown = parse(text);
    if (!Array.isArray(data))
      throw new DeployLogError(file, [
        'a YAML deploy log is a list of { service, at, description, author? }',
      ]);
    data.forEach((item, i) => {
      const entry = ChangeEntry.safeParse(item);
      if (entry.success) changes.push(toChange(entry.data));
      else problems.push(`entry ${i + 1}: ${describe(entry.error)}`);
    });
  }
  if (problems.length > 0) throw new DeployLogError(file, problems);
  return changes;
}
