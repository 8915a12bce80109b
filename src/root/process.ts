import { errorCode } from '../domain/errors.ts';

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Errors a person caused and can fix (a flag, a variable, a file): their message, exit 2, no stack. */
const USAGE_CODES: ReadonlySet<string> = new Set(['usage', 'config', 'file_format']);

/**
 * Runs a process's main, turning the errors users cause into one clear message and the right
 * exit code instead of a stack trace.
 */
export async function runMain(main: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    if (USAGE_CODES.has(errorCode(error)) && error instanceof Error) {
      process.stderr.write(`${error.message}\n`);
      code = EXIT.usage;
    } else {
      process.stderr.write(
        `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      code = EXIT.failure;
    }
  }
  // Let piped output drain before exiting (stdout is asynchronous on some platforms).
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
