/**
 * A request that runs out of time (a slow provider, waited on several times in one request)
 * answers a retryable problem in words before the function's own timeout, never 500 INTERNAL.
 */

import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import type { HttpEvent } from '#shared/http/types.ts';

describe('a request that runs out of time', () => {
  it('answers 502 PROVIDER_UNAVAILABLE, retryable, before the function times out', async () => {
    const handler = httpApi(endpoint({}).handler(() => new Promise(() => {})));
    const deadline = Date.now() + 1_300;
    const context = {
      awsRequestId: 'aws-1',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    } as unknown as Context;
    const result = await handler(
      { routeKey: 'POST /v1/test', requestContext: { requestId: 'req-1' } } as HttpEvent,
      context,
    );
    expect(Date.now()).toBeLessThan(deadline);
    expect(result.statusCode).toBe(502);
    expect(result.headers['retry-after']).toBe('1');
    const problem = JSON.parse(result.body);
    expect(problem).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', requestId: 'req-1' });
    expect(problem.detail).toContain('Retry with the same Idempotency-Key');
  });
});
