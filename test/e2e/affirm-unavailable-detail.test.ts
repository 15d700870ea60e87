/**
 * When Affirm fails, the hub's 502 says what happened (answered 503 or 429, no answer in time,
 * connection lost), keeps the retry advice, and tells nothing internal.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { createCheckout, hub, type OrderView } from '../support/hub.ts';
import { affirmSim } from '../support/stack.ts';

const CAPTURE = 'POST /api/v1/transactions/{id}/capture';
const RETRY = 'retry with the same Idempotency-Key';

async function authorizedOrder(): Promise<OrderView> {
  const order = await createCheckout();
  await affirmSim.approve(order.affirm.checkoutId);
  const answer = await hub.post(`/v1/affirm/checkouts/${order.affirm.checkoutId}/authorize`);
  expect(answer.status).toBe(200);
  return answer.body;
}

afterEach(() => affirmSim.clearFaults());

describe('the 502 detail when Affirm fails', () => {
  it.each([
    [{ mode: 'status', status: 503 } as const, 'Affirm answered 503 (service unavailable).'],
    [{ mode: 'status', status: 429 } as const, 'Affirm answered 429 (too many requests).'],
    [{ mode: 'timeout', when: 'before' } as const, 'Affirm did not answer within 1.5 s.'],
    [{ mode: 'reset', when: 'before' } as const, 'The connection to Affirm was lost before it answered.'],
  ])('on a capture that meets %j, says: %s', async (fault, said) => {
    const order = await authorizedOrder();
    await affirmSim.fault({ match: CAPTURE, ...fault });
    const answer = await hub.post(`/v1/orders/${order.orderId}/capture`, {}, { idempotencyKey: said });
    expect(answer.status).toBe(502);
    expect(answer.body.code).toBe('PROVIDER_UNAVAILABLE');
    expect(answer.body.detail).toBe(
      `${said} Nothing is recorded as done yet; ${RETRY} to finish the operation (sent without one, read the order first: a request without a key is a new request).`,
    );
    expect(answer.text).not.toMatch(/127\.0\.0\.1|Injected fault|fetch failed/);
  });
});
