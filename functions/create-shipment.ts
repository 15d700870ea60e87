import { clock } from '#shared/clock.ts';
import { asLyra } from '#shared/domain/lyra/order.ts';
import { createShipment, type ShipmentOutcome, shipmentAnswer } from '#shared/domain/lyra/shipments.ts';
import { apiKeyAuth } from '#shared/http/api-keys.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { idempotency, ridingAnswer } from '#shared/http/idempotency.ts';
import { OrderPath } from '#shared/http/path-params.ts';
import { createShipmentBody } from '#shared/http/schemas/lyra.ts';
import { json } from '#shared/http/types.ts';
import { lyraSagaDeps } from '#shared/wiring/lyra.ts';

/** The shipment's answer (API.md): the same body for the first request and every replay. */
function shipmentBody(outcome: ShipmentOutcome) {
  const { order } = outcome;
  return {
    orderId: order.orderId,
    shipmentId: outcome.shipmentId,
    amount: outcome.amount,
    currency: order.currency,
    status: outcome.status,
    ...(outcome.transactionUuid ? { transactionUuid: outcome.transactionUuid } : {}),
    remainingAmount: order.capturableAmount,
    guaranteed: outcome.guaranteed,
  };
}

/**
 * POST /v1/orders/{orderId}/shipments: debits one shipment of a Lyra payment on shipment, at
 * most once per shipmentId. 201 when this request debited it (or the bank refused it: status
 * `refused`), 200 with the same body when it was already asked for with the same amount.
 */
export const handler = httpApi(
  endpoint({
    auth: apiKeyAuth(),
    path: OrderPath,
    body: () => createShipmentBody(),
    idempotency: idempotency(),
  }).handler(async (event, context) => {
    const now = clock.now();
    const reply = ridingAnswer(context, (order, operation) => {
      // The saga answers a shipment with its operation, always.
      if (!operation) throw new Error('a shipment answered without its operation');
      return json(201, shipmentBody(shipmentAnswer(asLyra(order), operation, now)));
    });
    const outcome = await createShipment(
      lyraSagaDeps(),
      {
        orderId: event.params.orderId,
        shipmentId: event.body.shipmentId,
        amount: event.body.amount,
        ...(event.body.currency ? { currency: event.body.currency } : {}),
        caller: context.caller,
        ...(reply.riding ? { riding: reply.riding } : {}),
      },
      now,
    );
    // Asked before with the same amount: the same body, 200 (API.md).
    if (outcome.replayed) return json(200, shipmentBody(outcome));
    return reply.answer({ order: outcome.order, operation: outcome.operation });
  }),
);
