import { clock } from '#shared/clock.ts';
import { orderRepository } from '#shared/data/orders.ts';
import { sweepRepository } from '#shared/data/sweeps.ts';
import { expiringAuthorizations, MAX_WITHIN_DAYS } from '#shared/domain/expiring.ts';
import { ValidationError } from '#shared/errors.ts';
import { apiKeyAuth } from '#shared/http/api-keys.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { orderView } from '#shared/http/order-view.ts';
import { json } from '#shared/http/types.ts';

/** `withinDays`: a whole number of days, 1 to MAX_WITHIN_DAYS; 7 when absent. */
function withinDaysOf(query: Record<string, string | undefined> | undefined): number {
  const raw = query?.withinDays;
  if (raw === undefined) return 7;
  const days = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(days >= 1 && days <= MAX_WITHIN_DAYS)) {
    throw new ValidationError('The query is not valid.', [
      { path: 'withinDays', message: `must be a whole number of days from 1 to ${MAX_WITHIN_DAYS}` },
    ]);
  }
  return days;
}

/**
 * GET /v1/admin/authorizations/expiring?withinDays=7: authorizations that expire within the
 * window and still hold money to capture, soonest first. A location key sees its own.
 */
export const handler = httpApi(
  endpoint({ auth: apiKeyAuth() }).handler(async (event, context) => {
    const withinDays = withinDaysOf(event.queryStringParameters);
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
