import { clock } from '#shared/clock.ts';
import { orderRepository } from '#shared/data/orders.ts';
import { loadVisibleOrder } from '#shared/domain/order-access.ts';
import { apiKeyAuth } from '#shared/http/api-keys.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { orderView } from '#shared/http/order-view.ts';
import { OrderPath } from '#shared/http/path-params.ts';
import { json } from '#shared/http/types.ts';

/** GET /v1/orders/{orderId}: the order's payment state, as the caller may see it. */
export const handler = httpApi(
  endpoint({ auth: apiKeyAuth(), path: OrderPath }).handler(async (event, context) => {
    const order = await loadVisibleOrder(orderRepository, event.params.orderId, context.caller);
    return json(200, orderView(order, clock.now()));
  }),
);
