/** Who may see and act on an order (API.md, Conventions). */

import { beforeAll, describe, expect, it } from 'vitest';
import { putApiKey, revokeApiKey } from '#shared/data/api-keys.ts';
import { generateApiKey, hashApiKey } from '#shared/http/api-keys.ts';
import { createCheckout, hub, type OrderView } from '../support/hub.ts';
import { affirmSim, stack, withoutWebhooks } from '../support/stack.ts';

// Flow A: Affirm in store without webhooks (seed 000).
withoutWebhooks();

let boulderKey = '';
let order: OrderView;

beforeAll(async () => {
  const { key, keyId } = generateApiKey();
  await putApiKey(hashApiKey(key), {
    keyId,
    role: 'location',
    location: 'Boulder',
    label: 'Boulder till',
    createdAt: new Date().toISOString(),
  });
  boulderKey = key;
  order = await createCheckout();
  await affirmSim.approve(order.affirm.checkoutId);
});

describe('API keys and locations', () => {
  it("hides a location's orders from another location's key, on every route", async () => {
    const options = { key: boulderKey };
    const base = `/v1/orders/${order.orderId}`;
    for (const answer of [
      await hub.get(base, options),
      await hub.post(`/v1/affirm/checkouts/${order.affirm.checkoutId}/authorize`, undefined, options),
      await hub.post(`${base}/capture`, {}, options),
      await hub.post(`${base}/refunds`, { amount: 1 }, options),
      await hub.post(`${base}/void`, {}, options),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('NOT_FOUND');
    }
    expect((await hub.get(base)).body.status).toBe('sent');
  });

  it('lets the admin key see every location', async () => {
    const answer = await hub.get(`/v1/orders/${order.orderId}`, { key: stack().keys.admin });
    expect(answer.status).toBe(200);
    expect(answer.body.orderId).toBe(order.orderId);
  });

  it('refuses a missing, unknown or revoked key with 401', async () => {
    const { key, keyId } = generateApiKey();
    await putApiKey(hashApiKey(key), {
      keyId,
      role: 'location',
      location: 'Denver',
      label: 'to revoke',
      createdAt: new Date().toISOString(),
    });
    expect((await hub.get(`/v1/orders/${order.orderId}`, { key })).status).toBe(200);
    await revokeApiKey(keyId, new Date());

    for (const options of [{ key: '' }, { key: 'hub_unknown_key_value' }, { key }]) {
      const answer = await hub.get(`/v1/orders/${order.orderId}`, options);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('UNAUTHENTICATED');
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
  });
});
