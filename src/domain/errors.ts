/**
 * The error family. Every error the product raises on purpose is an OperatorError with a stable
 * `code`; `errorCode` reads a code from anything thrown (ours, a Slack platform error, a Node
 * system error), so callers never poke at error shapes themselves.
 */
export class OperatorError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The stable code of any thrown value: ours, Slack's `data.error`, Node's errno `code`, or `unknown_error`. */
export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    if (error instanceof OperatorError) return error.code;
    // A Slack Web API platform error carries the API's own code here (e.g. `not_in_channel`).
    const data = (error as { data?: { error?: unknown } }).data;
    if (data && typeof data.error === 'string') return data.error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return 'unknown_error';
}

/** One line a person can read, for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
