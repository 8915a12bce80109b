import { type ParseArgsConfig, parseArgs, styleText } from 'node:util';
import { ConfigError } from '../config/env.ts';
import { FileFormatError } from '../tools/fleet/load.ts';

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A mistake in how a command was called: printed with its usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseCommandLine<T extends ParseArgsConfig['options']>(
  argv: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
}

type Style = Parameters<typeof styleText>[0];

/** Colour only when the stream is a terminal that wants it (styleText honours NO_COLOR and FORCE_COLOR). */
export function paint(stream: NodeJS.WriteStream) {
  return (style: Style, text: string) => styleText(style, text, { stream });
}

/**
 * Runs a command's main, turning the errors users cause (bad config, bad file, bad flags) into one
 * clear message and the right exit code instead of a stack trace.
 */
export async function runCommand(main: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      code = EXIT.usage;
    } else if (error instanceof ConfigError || error instanceof FileFormatError) {
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
