/** How the Affirm adapter names and describes a failed call, without any network. */

import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '#shared/errors.ts';
import { problemFor } from '#shared/http/problem.ts';
import { transportErrorName, unansweredDetail } from '#shared/providers/affirm/client.ts';
import { failureFrom } from '#shared/providers/affirm/errors.ts';
import { parseSuccess } from '#shared/providers/affirm/mapping.ts';
import { transactionWire } from '#shared/providers/affirm/schemas.ts';

/** What fetch throws on a lost connection: a TypeError whose cause carries the socket's code. */
const fetchFailed = (code: string) =>
  Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket'), { code }) });

const detailOf = (error: unknown) => problemFor(error, 'r').detail;

describe('naming a transport failure for the logs', () => {
  it('names a timeout TimeoutError, not the DOMException code 23', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(timeout.code).toBe(23);
    expect(transportErrorName(timeout)).toBe('TimeoutError');
  });

  it("takes a socket's code from the cause fetch wraps it in", () => {
    expect(transportErrorName(fetchFailed('ECONNRESET'))).toBe('ECONNRESET');
    expect(transportErrorName(fetchFailed('ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(transportErrorName(Object.assign(new Error('x'), { code: 'EPIPE' }))).toBe('EPIPE');
    expect(transportErrorName(new TypeError('fetch failed'))).toBe('TypeError');
    expect(transportErrorName('weird')).toBe('unknown');
  });
});

describe('the 502 detail says what happened at Affirm', () => {
  it.each([
    [503, 'Affirm answered 503 (service unavailable).'],
    [429, 'Affirm answered 429 (too many requests).'],
    [500, 'Affirm answered 500 (internal server error).'],
    [599, 'Affirm answered 599.'],
  ])('an answered %i', (status, said) => {
    const failure = failureFrom({ status, body: { message: 'upstream at 10.0.0.7 exploded' } });
    expect(failure).toBeInstanceOf(ProviderUnavailableError);
    const detail = detailOf(failure);
    expect(detail.startsWith(said)).toBe(true);
    expect(detail).toContain('retry with the same Idempotency-Key');
    expect(detail).not.toContain('did not answer');
    expect(detail).not.toContain('10.0.0.7');
  });

  it.each([
    [new DOMException('aborted', 'TimeoutError'), 'Affirm did not answer within 10 s.'],
    [fetchFailed('ECONNRESET'), 'The connection to Affirm was lost before it answered.'],
    [fetchFailed('UND_ERR_SOCKET'), 'The connection to Affirm was lost before it answered.'],
    [fetchFailed('ECONNREFUSED'), 'Affirm could not be reached.'],
    [new TypeError('fetch failed'), 'Affirm did not answer.'],
  ])('an unanswered call (%s)', (error, said) => {
    expect(unansweredDetail(error, 10_000)).toBe(said);
  });

  it('writes sub-second and fractional timeouts readably', () => {
    const timeout = new DOMException('aborted', 'TimeoutError');
    expect(unansweredDetail(timeout, 1_500)).toBe('Affirm did not answer within 1.5 s.');
    expect(unansweredDetail(timeout, 800)).toBe('Affirm did not answer within 0.8 s.');
  });

  it('says an unreadable success is unreadable', () => {
    let thrown: unknown;
    try {
      parseSuccess(transactionWire(), { status: 200, body: { status: 'authorized' } });
    } catch (error) {
      thrown = error;
    }
    expect(detailOf(thrown)).toMatch(/^Affirm answered with a body the hub could not read\. /);
  });

  it('keeps a generic detail, true in every case, when the error names no public detail', () => {
    const detail = detailOf(new ProviderUnavailableError('Affirm timed out at 10.0.0.7'));
    expect(detail).not.toContain('10.0.0.7');
    expect(detail).not.toContain('did not answer');
    expect(detail).toContain('retry with the same Idempotency-Key');
  });
});
