import { describe, expect, it } from 'vitest';
import { errorCode, OperatorError } from '../../src/domain/errors.ts';

describe('errorCode', () => {
  it('reads the code of our own errors', () => {
    expect(errorCode(new OperatorError('usage', 'bad flag'))).toBe('usage');
  });

  it('prefers the platform error, then the client code, else unknown_error', () => {
    expect(errorCode({ code: 'slack_webapi_platform_error', data: { error: 'x' } })).toBe('x');
    expect(errorCode({ code: 'slack_webapi_request_error' })).toBe('slack_webapi_request_error');
    expect(errorCode(new Error('plain'))).toBe('unknown_error');
    expect(errorCode(null)).toBe('unknown_error');
  });
});
