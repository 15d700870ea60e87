/**
 * Affirm creates the transaction when the customer confirms, before any authorization (recorded
 * sandbox answers, test/fixtures/affirm/). The hub must not take that transaction for a loan.
 */

import { describe, expect, it } from 'vitest';
import { createCheckout, hub } from '../support/hub.ts';
import { affirmSim, withoutWebhooks } from '../support/stack.ts';

// Flow A: Affirm in store without webhooks (seed 000).
withoutWebhooks();

describe('a transaction that exists before authorization', () => {
  it('is not an authorization until the hub authorizes it, and the loan then keeps its id and expiry', async () => {
    const order = await createCheckout();
    await affirmSim.approve(order.affirm.checkoutId);
    const atAffirm = await affirmSim.transaction(order.affirm.checkoutId);
    expect(atAffirm.body).toMatchObject({ status: 'confirmed', provider_id: 2 });

    const before = await hub.get(`/v1/orders/${order.orderId}`);
    expect(before.body).toMatchObject({ status: 'sent', authorizedAmount: 0 });
    expect(before.body.affirm.transactionId).toBeUndefined();
    const early = await hub.post(`/v1/orders/${order.orderId}/void`, {});
    expect(early.status).toBe(409);
    const voids = (await affirmSim.requests()).filter((r) => r.path.endsWith(`${atAffirm.body.id}/void`));
    expect(voids).toHaveLength(0);

    const authorized = await hub.post(`/v1/affirm/checkouts/${order.affirm.checkoutId}/authorize`);
    expect(authorized.status).toBe(200);
    expect(authorized.body).toMatchObject({
      status: 'authorized',
      authorizedAmount: order.amount,
      affirm: { transactionId: atAffirm.body.id },
    });
    // Affirm's expiry: 30 days after the checkout was created, not after the authorization.
    expect(authorized.body.authorizationExpiresAt).toBe(atAffirm.body.authorization_expiration);
  });
});
