import { clock } from '#shared/clock.ts';
import { orderRepository } from '#shared/data/orders.ts';
import { loadVisibleOrder } from '#shared/domain/order-access.ts';
import { NotFoundError } from '#shared/errors.ts';
import { apiKeyAuth } from '#shared/http/api-keys.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { orderView } from '#shared/http/order-view.ts';
import { ORDER_ID } from '#shared/http/path-params.ts';
import { json } from '#shared/http/types.ts';

/** GET /v1/orders/{orderId}: the order's payment state, as the caller may see it. */
export const handler = httpApi(
  endpoint({ auth: apiKeyAuth() }).handler(async (event, context) => {
    const orderId = event.pathParameters?.orderId ?? '';
    if (!ORDER_ID.test(orderId)) throw new NotFoundError('The order');
    const order = await loadVisibleOrder(orderRepository, orderId, context.caller);
    return json(200, orderView(order, clock.now()));
  }),
);
