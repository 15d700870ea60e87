import { clock } from '#shared/clock.ts';
import { authorizeCheckout } from '#shared/domain/affirm/authorize.ts';
import { apiKeyAuth } from '#shared/http/api-keys.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { idempotency, ridingAnswer } from '#shared/http/idempotency.ts';
import { orderView } from '#shared/http/order-view.ts';
import { CheckoutPath } from '#shared/http/path-params.ts';
import { NoBody } from '#shared/http/schemas/no-body.ts';
import { json } from '#shared/http/types.ts';
import { affirmDeps } from '#shared/wiring/affirm.ts';

/** POST /v1/affirm/checkouts/{checkoutId}/authorize: the associate's "authorize" button. */
export const handler = httpApi(
  endpoint({ auth: apiKeyAuth(), path: CheckoutPath, body: NoBody, idempotency: idempotency() }).handler(
    async (event, context) => {
      const now = clock.now();
      const reply = ridingAnswer(context, (order) => json(200, orderView(order, now)));
      const command = { checkoutId: event.params.checkoutId, caller: context.caller, riding: reply.riding };
      return reply.answer({ order: await authorizeCheckout(affirmDeps(), command, now) });
    },
  ),
);
