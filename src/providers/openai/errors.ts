import OpenAI from 'openai';
import { describeError } from '../../domain/errors.ts';
import { ModelCallError } from '../../operator/planners/model/chat-model.ts';
import { retryAfterMs } from '../../tools/http.ts';

/** Characters of a provider error message quoted in a failure reason. */
const ERROR_MESSAGE_CHARS = 200;

/** An error the OpenAI SDK threw, as the neutral model-call error the loop decides on. */
export function toModelCallError(
  error: unknown,
  context: { timeoutMs: number; nowMs: number },
): ModelCallError {
  if (error instanceof ModelCallError) return error;
  // The timeout error is a connection error too; it is checked first because it is not retried.
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return new ModelCallError('timeout', `model call timed out after ${context.timeoutMs} ms`, {
      cause: error,
    });
  if (error instanceof OpenAI.APIUserAbortError)
    return new ModelCallError('aborted', 'model call was aborted', { cause: error });
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = error.cause instanceof Error ? (error.cause.cause ?? error.cause) : null;
    const detail = cause ? `: ${describeError(cause)}` : '';
    return new ModelCallError('connection', `could not connect to the model endpoint${detail}`, {
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const { status } = error;
    const retryAfter = retryAfterMs(error.headers, context.nowMs);
    const common = { status, retryAfterMs: retryAfter, cause: error };
    if (status === 429)
      return new ModelCallError('rate_limited', 'model rate-limited (HTTP 429)', common);
    if (status >= 500) return new ModelCallError('server', `model returned HTTP ${status}`, common);
    if (status === 401 || status === 403)
      return new ModelCallError(
        'auth',
        `model endpoint refused the API key (HTTP ${status})`,
        common,
      );
    const message = error.message.slice(0, ERROR_MESSAGE_CHARS);
    return new ModelCallError('bad_request', `model returned HTTP ${status}: ${message}`, common);
  }
  return new ModelCallError('invalid_response', `model call failed: ${describeError(error)}`, {
    cause: error,
  });
}
