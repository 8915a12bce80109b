import { type ParseArgsConfig, parseArgs, styleText } from 'node:util';
import { OperatorError } from '../domain/errors.ts';
import { visible } from '../domain/visible.ts';

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

/**
 * A value with every string in it made safe for a terminal: an alert, a log line or a model can
 * carry escape sequences (ESC ] 0 ; … retitles the window, ESC [ 2 J clears it, ESC ] 8 disguises a
 * link, ESC [ 8 m hides text) and bidi overrides; they are removed before anything is printed, and
 * the only escapes on screen are the colours `paint` adds.
 */
export function forTerminal<T>(value: T): T {
  if (typeof value === 'string') return visible(value) as T;
  if (Array.isArray(value)) return value.map(forTerminal) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = forTerminal(v);
    return out as T;
  }
  return value;
}
