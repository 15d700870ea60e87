import * as z from 'zod/mini';
import { clock } from '#shared/clock.ts';
import { orderRepository } from '#shared/data/orders.ts';
import { sweepRepository } from '#shared/data/sweeps.ts';
import { expiringAuthorizations, MAX_WITHIN_DAYS } from '#shared/domain/expiring.ts';
import { apiKeyAuth } from '#shared/http/api-keys.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { orderView } from '#shared/http/order-view.ts';
import { json } from '#shared/http/types.ts';
import { validate } from '#shared/http/validation.ts';

const Query = z.object({
  withinDays: z.optional(
    z.pipe(z.string(), z.transform(Number)).check(z.int(), z.gte(1), z.lte(MAX_WITHIN_DAYS)),
  ),
});

/**
 * GET /v1/admin/authorizations/expiring?withinDays=7: authorizations that expire within the
 * window and still hold money to capture, soonest first. A location key sees its own.
 */
export const handler = httpApi(
  endpoint({ auth: apiKeyAuth() }).handler(async (event, context) => {
    const { withinDays = 7 } = validate(Query, event.queryStringParameters ?? {}, 'The query');
    const now = clock.now();
    const orders = await expiringAuthorizations(
      { orders: orderRepository, sweeps: sweepRepository },
      context.caller,
      withinDays,
      now,
    );
    const authorizations = orders.map((order) => {
      const view = orderView(order, now);
      return {
        orderId: view.orderId,
        provider: view.provider,
        location: order.location,
        amount: view.amount,
        currency: view.currency,
        status: view.status,
        authorizedAmount: view.authorizedAmount,
        capturedAmount: view.capturedAmount,
        remainingAmount: view.remainingAmount,
        authorizationExpiresAt: view.authorizationExpiresAt,
      };
    });
    return json(200, { withinDays, authorizations });
  }),
);
