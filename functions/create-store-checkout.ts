import { clock } from '#shared/clock.ts';
import { createStoreCheckout } from '#shared/domain/affirm/checkout.ts';
import { fingerprint } from '#shared/domain/fingerprint.ts';
import { apiKeyAuth } from '#shared/http/api-keys.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { idempotency, ridingAnswer } from '#shared/http/idempotency.ts';
import { orderView } from '#shared/http/order-view.ts';
import { createStoreCheckoutBody } from '#shared/http/schemas/store-checkout.ts';
import { json } from '#shared/http/types.ts';
import { affirmDeps, checkoutSettings } from '#shared/wiring/affirm.ts';

/** POST /v1/affirm/checkouts: opens an Affirm in-store or telesales checkout; Affirm sends the customer the link. */
export const handler = httpApi(
  endpoint({ auth: apiKeyAuth(), body: () => createStoreCheckoutBody(), idempotency: idempotency() }).handler(
    async (event, context) => {
      const { metadata, ...order } = event.body;
      const now = clock.now();
      // The Idempotency-Key's answer rides in the write that records the checkout (one round trip fewer).
      const reply = ridingAnswer(context, (created) => json(201, orderView(created, now)));
      const created = await createStoreCheckout(
        affirmDeps(),
        checkoutSettings(),
        {
          ...order,
          ...(metadata?.storeLocation ? { storeLocation: metadata.storeLocation } : {}),
          ...(metadata?.entityName ? { entityName: metadata.entityName } : {}),
          caller: context.caller,
          fingerprint: fingerprint(event.body),
          riding: reply.riding,
        },
        now,
      );
      return reply.answer({ order: created });
    },
  ),
);
