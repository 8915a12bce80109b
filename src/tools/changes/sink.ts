import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Change } from '../../domain/evidence.ts';

/** Where posted changes go. The JSON-lines file sink is the one the deploy-log backend reads. */
export interface ChangeSink {
  append(changes: readonly Change[]): Promise<void>;
}

export const CHANGES_WEBHOOK_LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxChangesPerRequest: 100,
} as const;

/** Appends one JSON line per change. Appends are queued so concurrent posts never interleave. */
export class JsonLinesChangeSink implements ChangeSink {
  readonly file: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  /** Creates the file (and its folder) if missing, so the deploy log reads "no changes", not "no file". */
  async ensure(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const handle = await open(this.file, 'a');
    await handle.close();
  }

  append(changes: readonly Change[]): Promise<void> {
    const text = changes.map((c) => `${JSON.stringify(c)}\n`).join('');
    const next = this.queue.then(() => appendFile(this.file, text, 'utf8'));
    // A failed append must fail its own request, not every later one.
    this.queue = next.catch(() => {});
    return next;
  }
}
