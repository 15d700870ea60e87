/**
 * A debit or refund the provider said it did, but whose transaction the hub could not tell
 * (Lyra answered SUCCESS and the read that should have named it failed), is recorded with the
 * reference UNKNOWN_PROVIDER_REF: its money counts, but a shipment debited so cannot be refunded
 * (a refund names the shipment's transaction). learnProviderRefs asks the provider's connector to
 * name such operations by reading, and records what it names on the operation and on its
 * shipment or refund record, each write conditional on the reference still being unknown (two
 * requests learning at once write it once). Best effort: a provider that cannot be read now
 * leaves them unknown for a later try.
 */

import type { SagaDeps } from './operations.ts';
import { event, type Operation, type Order, UNKNOWN_PROVIDER_REF } from './order.ts';

const isUnlearnt = (op: Operation) =>
  op.state === 'succeeded' &&
  op.providerRef === UNKNOWN_PROVIDER_REF &&
  (op.kind === 'debit' || op.kind === 'refund');

/** The order with every reference its provider could name learnt (re-read when one was written). */
export async function learnProviderRefs(deps: SagaDeps, order: Order, now: Date): Promise<Order> {
  const unlearnt = order.operations.filter(isUnlearnt);
  const connector = unlearnt.length > 0 ? deps.connectors(order.provider) : undefined;
  if (!connector?.identify) return order;
  let wrote = false;
  for (const operation of unlearnt) {
    let providerRef: string | undefined;
    try {
      providerRef = await connector.identify(order, operation);
    } catch {
      break; // the provider cannot be read now: a later request tries again
    }
    if (!providerRef || providerRef === UNKNOWN_PROVIDER_REF) continue;
    const { written } = await deps.orders.updateOperation(order.orderId, {
      operation: { ...operation, providerRef },
      expected: { states: ['succeeded'], providerRef: UNKNOWN_PROVIDER_REF },
      learntRef: {
        providerRef,
        unknownRef: UNKNOWN_PROVIDER_REF,
        ...(operation.kind === 'debit' && operation.shipmentId ? { shipmentId: operation.shipmentId } : {}),
        ...(operation.kind === 'refund' ? { refundId: operation.operationId } : {}),
      },
      events: [
        event(now, `${operation.kind}.provider_ref_learnt`, {
          operationId: operation.operationId,
          providerRef,
        }),
      ],
      now,
    });
    wrote ||= written;
  }
  return wrote ? ((await deps.orders.get(order.orderId)) ?? order) : order;
}
