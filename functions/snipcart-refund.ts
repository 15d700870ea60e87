import { createHash } from 'node:crypto';
import { clock } from '#shared/clock.ts';
import { refundFromSnipcart } from '#shared/domain/snipcart/refund.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { idempotency } from '#shared/http/idempotency.ts';
import { OrderPath } from '#shared/http/path-params.ts';
import { snipcartJsonBody } from '#shared/http/schemas/snipcart.ts';
import { json } from '#shared/http/types.ts';
import { readRefundRequest } from '#shared/providers/snipcart/mapping.ts';
import { sagaDeps } from '#shared/wiring.ts';

/**
 * Snipcart sends no refund id (providers/snipcart.md section 4): the same paymentId and amount
 * again within 10 minutes is a retry (API.md) and gets the first answer, `refundId` included;
 * its key also ties a retry after an unknown outcome to the refund it started.
 */
const SNIPCART_RETRY_WINDOW_SECONDS = 10 * 60;

/**
 * POST /v1/snipcart/refunds/{orderId}?secret=...: a refund from Snipcart's dashboard, through the
 * order's `links.refunds`. 401 INVALID_TOKEN without the order's secret (compared in constant
 * time); 409 AMOUNT_EXCEEDS_CAPTURED over what was debited; 200 `{ refundId }`.
 */
export const handler = httpApi(
  endpoint({
    path: OrderPath,
    body: () => snipcartJsonBody(),
    formats: ['json'],
    idempotency: idempotency({
      keyOf: (event) => {
        const { paymentId, amount } = event.body as { paymentId?: unknown; amount?: unknown };
        const orderId = event.pathParameters?.orderId ?? '';
        if (typeof paymentId !== 'string' || typeof amount !== 'number') return undefined;
        // The secret is part of the scope: a caller without it can never store an answer that
        // Snipcart's own call would then be given.
        const secret = createHash('sha256')
          .update(event.queryStringParameters?.secret ?? '')
          .digest('base64url');
        return { scope: `snipcart-refund:${orderId}:${secret}`, key: `${paymentId.slice(0, 100)}:${amount}` };
      },
      ttlSeconds: SNIPCART_RETRY_WINDOW_SECONDS,
    }),
  }).handler(async (event, context) => {
    const refund = await refundFromSnipcart(
      sagaDeps(),
      {
        orderId: event.params.orderId,
        secret: event.queryStringParameters?.secret ?? '',
        amountIn: (currency) => readRefundRequest(event.body, currency)?.amount,
        ...(context.requestKey ? { requestKey: context.requestKey } : {}),
      },
      clock.now(),
    );
    return json(200, { refundId: refund.refundId });
  }),
);
