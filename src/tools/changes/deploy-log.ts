import { open } from 'node:fs/promises';
import type { Clock } from '../../domain/clock.ts';
import { errorCode } from '../../domain/errors.ts';
import type { Change } from '../../domain/evidence.ts';
import type { ChangesBackend } from '../backends.ts';
import { ToolError } from '../errors.ts';
import { DeployLogError, parseDeployLog } from './format.ts';

export const DEPLOY_LOG_LIMITS = {
  /** A deploy log grows forever; only its tail is read (JSON lines) — old entries are out of the window anyway. */
  maxReadBytes: 8 * 1024 * 1024,
  /** Changes returned per service, newest first. */
  maxChanges: 20,
  /** Entries stamped slightly in the future (clock skew between CD and bot) still count. */
  futureSkewMs: 5 * 60_000,
} as const;

export type DeployLogOptions = {
  file: string;
  lookbackHours: number;
  clock: Clock;
};

/** Reads the newest bytes of a file; a cut first line is dropped, since it cannot be parsed. */
async function readTail(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - DEPLOY_LOG_LIMITS.maxReadBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } finally {
    await handle.close();
  }
}

/**
 * Recent changes from a deploy log (CHANGES_FILE): deploys and config changes your CD system
 * appends (through the /changes webhook or on its own). Read at every call, so a deploy posted a
 * second ago is already evidence.
 */
export class DeployLogChanges implements ChangesBackend {
  readonly name = 'deploy-log';
  private readonly options: DeployLogOptions;
  private readonly clock: Clock;

  constructor(options: DeployLogOptions) {
    this.options = options;
    this.clock = options.clock;
  }

  /** Every change in the file; throws DeployLogError or a file-system error. Used at start to fail fast. */
  async readAll(): Promise<Change[]> {
    return parseDeployLog(await readTail(this.options.file), this.options.file);
  }

  async listChanges(service: string): Promise<Change[]> {
    let all: Change[];
    try {
      all = await this.readAll();
    } catch (error) {
      const file = this.options.file;
      if (error instanceof DeployLogError) throw new ToolError('unavailable', error.message);
      const code = errorCode(error);
      if (code === 'ENOENT')
        throw new ToolError(
          'not_found',
          `the deploy log ${file} (CHANGES_FILE) does not exist: check the path, or that your CD system has posted a change yet`,
        );
      throw new ToolError(
        'unavailable',
        `the deploy log ${file} (CHANGES_FILE) cannot be read (${code ?? String(error)})`,
      );
    }
    const now = this.clock.now().getTime();
    const since = now - this.options.lookbackHours * 3_600_000;
    const until = now + DEPLOY_LOG_LIMITS.futureSkewMs;
    const wanted = service.toLowerCase();
    return all
      .filter((c) => c.service.toLowerCase() === wanted)
      .filter((c) => {
        const at = Date.parse(c.at);
        return at >= since && at <= until;
      })
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, DEPLOY_LOG_LIMITS.maxChanges);
  }
}
