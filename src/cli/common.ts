import { type ParseArgsConfig, parseArgs, styleText } from 'node:util';
import { OperatorError } from '../domain/errors.ts';

/** A mistake in how a command was called: printed with its usage, exit 2. */
export class UsageError extends OperatorError {
  constructor(message: string) {
    super('usage', message);
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
