import { describe, expect, it } from 'vitest';
import {
  DeclinedError,
  HubError,
  NotFoundError,
  ProviderUnavailableError,
  StateConflictError,
  ValidationError,
} from '#shared/errors.ts';
import { problemFor, problemResponse } from '#shared/http/problem.ts';

describe('problem+json mapping', () => {
  it.each([
    [
      new ValidationError('bad', [{ path: 'amount', message: 'must be an integer' }]),
      400,
      'VALIDATION_FAILED',
    ],
    [new HubError('UNAUTHENTICATED', 'no key'), 401, 'UNAUTHENTICATED'],
    [new DeclinedError('no'), 402, 'AUTHORIZATION_DECLINED'],
    [new NotFoundError('The order'), 404, 'NOT_FOUND'],
    [new StateConflictError('CHECKOUT_NOT_CONFIRMED', 'wait'), 409, 'CHECKOUT_NOT_CONFIRMED'],
    [new StateConflictError('AMOUNT_EXCEEDS_CAPTURED', 'too much'), 409, 'AMOUNT_EXCEEDS_CAPTURED'],
    [new HubError('CHECKOUT_EXPIRED', 'late'), 410, 'CHECKOUT_EXPIRED'],
    [new HubError('PAYLOAD_TOO_LARGE', 'big'), 413, 'PAYLOAD_TOO_LARGE'],
    [new HubError('IDEMPOTENCY_KEY_REUSED', 'other body'), 422, 'IDEMPOTENCY_KEY_REUSED'],
    [new ProviderUnavailableError('Affirm timed out at 10.0.0.7'), 502, 'PROVIDER_UNAVAILABLE'],
  ])('maps %s to %i %s', (error, status, code) => {
    const problem = problemFor(error, 'req-1');
    expect(problem).toMatchObject({ status, code, requestId: 'req-1' });
    expect(problem.type).toBe(`urn:payments-hub:problem:${code.toLowerCase().replaceAll('_', '-')}`);
  });

  it('shows the message of a 4xx and the field errors', () => {
    const problem = problemFor(
      new ValidationError('The request body is not valid.', [{ path: 'amount', message: 'is required' }]),
      'r',
    );
    expect(problem.detail).toBe('The request body is not valid.');
    expect(problem.errors).toEqual([{ path: 'amount', message: 'is required' }]);
  });

  it('never leaks what went wrong inside a 5xx', () => {
    const internal = problemFor(
      new TypeError("Cannot read properties of undefined (reading 'PK') at orders.ts:42"),
      'r',
    );
    expect(internal).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(internal)).not.toMatch(/PK|orders\.ts|TypeError/);
    const upstream = problemFor(new ProviderUnavailableError('Affirm timed out at 10.0.0.7'), 'r');
    expect(upstream.detail).not.toContain('10.0.0.7');
  });

  it('sets the headers a problem implies', () => {
    expect(problemResponse(new HubError('UNAUTHENTICATED', 'x'), 'r').headers['www-authenticate']).toBe(
      'Bearer',
    );
    expect(problemResponse(new ProviderUnavailableError('x'), 'r').headers['retry-after']).toBe('1');
    const notAllowed = problemResponse(
      new HubError('METHOD_NOT_ALLOWED', 'x', { headers: { allow: 'GET' } }),
      'r',
    );
    expect(notAllowed).toMatchObject({
      statusCode: 405,
      headers: { allow: 'GET', 'content-type': 'application/problem+json' },
    });
  });
});
