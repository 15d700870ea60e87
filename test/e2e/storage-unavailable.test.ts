/**
 * DynamoDB stalled: the suite's DynamoDB Local is stopped with SIGSTOP (it then accepts
 * connections and never answers) and always resumed with SIGCONT, since later test files use it.
 * The hub must answer a retryable 503 problem within seconds, not hang until the gateway gives up.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { checkoutBody, createCheckout, hub, type Problem } from '../support/hub.ts';
import { type HttpAnswer, http, stack } from '../support/stack.ts';

/** Far below the function timeout (25 s), at which the gateway would answer instead of the hub. */
const ANSWER_WITHIN_MS = 15_000;

const resume = () => process.kill(stack().dynamodbPid, 'SIGCONT');
afterAll(resume);

function call(path: string, init: RequestInit = {}): Promise<HttpAnswer<Problem>> {
  return http<Problem>(`${stack().hubUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${stack().keys.pos}`, ...init.headers },
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
}

function expectStorageUnavailable(answer: HttpAnswer<Problem>) {
  expect(answer.status).toBe(503);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(answer.body).toMatchObject({ status: 503, code: 'STORAGE_UNAVAILABLE' });
  expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
}

describe('a stalled DynamoDB', () => {
  it('gets a 503 STORAGE_UNAVAILABLE problem within seconds, and the hub works again once DynamoDB does', async () => {
    expect(stack().dynamodbPid).toBeGreaterThan(0);
    const order = await createCheckout();
    const body = checkoutBody();
    process.kill(stack().dynamodbPid, 'SIGSTOP');
    try {
      const [read, write] = await Promise.all([
        call(`/v1/orders/${order.orderId}`),
        call('/v1/affirm/checkouts', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `stalled-${body.orderId}` },
          body: JSON.stringify(body),
        }),
      ]);
      expectStorageUnavailable(read);
      expectStorageUnavailable(write);
    } finally {
      resume();
    }
    const again = await hub.get(`/v1/orders/${order.orderId}`);
    expect(again.status).toBe(200);
    expect(again.body.orderId).toBe(order.orderId);
    expect((await hub.get(`/v1/orders/${body.orderId}`)).status).toBe(404);
    expect((await createCheckout()).status).toBe('sent');
  });
});
