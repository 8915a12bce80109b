/** Why a tool could not answer. Each becomes a clear line in the brief, never a crash. */
export type ToolErrorCode =
  | 'unknown_server'
  | 'invalid_arguments'
  | 'unavailable'
  | 'not_found'
  | 'no_data'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'rate_limited'
  | 'timeout'
  | 'refused';

export class ToolError extends Error {
  readonly code: ToolErrorCode;

  constructor(code: ToolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
    this.code = code;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
