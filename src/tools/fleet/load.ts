import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { errorCode, OperatorError } from '../../domain/errors.ts';
import { FleetFile, type Scenario, ScenarioFile } from './format.ts';

/** A scenario or fleet file that cannot be used, with every problem spelled out. */
export class FileFormatError extends OperatorError {
  readonly file: string;
  readonly problems: string[];

  constructor(file: string, problems: string[]) {
    super(
      'file_format',
      `${file} is not a valid file:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.file = file;
    this.problems = problems;
  }
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new FileFormatError(
      file,
      doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`),
    );
  }
  return doc.toJS();
}

/** Names a path the way a user reads their file: `scenario 3 "db-lag" → servers.db-1.health.cpu`. */
function describePath(path: PropertyKey[], data: unknown): string {
  if (path.length === 0) return 'the file';
  const [first, ...rest] = path;
  if (typeof first === 'number' && Array.isArray(data)) {
    const entry: unknown = data[first];
    const id =
      entry && typeof entry === 'object' && 'id' in entry && typeof entry.id === 'string'
        ? ` "${entry.id}"`
        : '';
    return `scenario ${first + 1}${id}${rest.length ? ` → ${rest.map(String).join('.')}` : ''}`;
  }
  return path.map(String).join('.');
}

function validate<T>(schema: z.ZodType<T>, data: unknown, file: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new FileFormatError(
    file,
    result.error.issues.map((issue) => `${describePath(issue.path, data)}: ${issue.message}`),
  );
}

export function parseScenarios(text: string, file = 'scenario file'): Scenario[] {
  const data = parseYaml(text, file);
  if (data !== null && typeof data === 'object' && !Array.isArray(data) && 'servers' in data) {
    throw new FileFormatError(file, [
      'this looks like a fleet file (a top-level servers: map); a scenario file is a list of scenarios, each starting with "- id:"',
    ]);
  }
  return validate(ScenarioFile, data, file);
}

export function parseFleet(text: string, file = 'fleet file'): FleetFile {
  const data = parseYaml(text, file);
  if (Array.isArray(data)) {
    throw new FileFormatError(file, [
      "this looks like a scenario file (a list); a fleet file has a top-level servers: map — copy one scenario's servers: into a file of its own",
    ]);
  }
  return validate(FleetFile, data, file);
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new FileFormatError(file, [`cannot read it: ${why}`]);
  }
}

export async function loadScenarios(file: string): Promise<Scenario[]> {
  return parseScenarios(await readText(file), file);
}

export async function loadFleet(file: string): Promise<FleetFile> {
  return parseFleet(await readText(file), file);
}

export const DEMO_FLEET_FILE = new URL('./demo-fleet.yaml', import.meta.url);

export async function loadDemoFleet(): Promise<FleetFile> {
  return parseFleet(await readFile(DEMO_FLEET_FILE, 'utf8'), 'built-in demo fleet');
}
