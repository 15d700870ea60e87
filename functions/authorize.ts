import { clock } from '#shared/clock.ts';
import { authorizeCheckout } from '#shared/domain/affirm/checkout.ts';
import { NotFoundError } from '#shared/errors.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { orderView } from '#shared/http/order-view.ts';
import { NoBody } from '#shared/http/schemas.ts';
import { json } from '#shared/http/types.ts';
import { affirmDeps } from '#shared/wiring.ts';

const CHECKOUT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** POST /v1/affirm/checkouts/{checkoutId}/authorize: the associate's "authorize" button. */
export const handler = httpApi(
  endpoint({ auth: 'apiKey', body: NoBody, idempotent: true }).handler(async (event, context) => {
    const checkoutId = event.pathParameters?.checkoutId ?? '';
    if (!CHECKOUT_ID.test(checkoutId)) throw new NotFoundError('The checkout');
    const now = clock.now();
    const order = await authorizeCheckout(affirmDeps(), { checkoutId, caller: context.caller }, now);
    return json(200, orderView(order, now));
  }),
);
