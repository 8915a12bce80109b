import { OperatorError } from '../domain/errors.ts';

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

export class ToolError extends OperatorError {
  declare readonly code: ToolErrorCode;

  constructor(code: ToolErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
