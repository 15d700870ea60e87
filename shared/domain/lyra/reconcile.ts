/**
 * The reconciler's look at a Lyra payment still awaited (its IPN may be lost, the shopper's
 * browser never came back): Lyra's Order/Get says whether the verification was accepted or
 * refused, and that answer is applied like an IPN's (notifications.ts). Nothing is sent to Lyra.
 */

import { change } from '../order.ts';
import { applyLyraAnswer } from './notifications.ts';
import { type LyraOrder, updateLyraOrder, withPayment } from './order.ts';
import type { LyraDeps } from './payment.ts';
import type { LyraPaymentAnswer } from './types.ts';

export type PaymentLook = 'authorized' | 'refused' | 'unchanged' | 'skipped';

export async function reconcilePayment(deps: LyraDeps, order: LyraOrder, now: Date): Promise<PaymentLook> {
  if (order.payment.state !== 'awaiting_payment') return 'skipped';
  const transactions = await deps.lyra.readOrder(order.orderId, 'VERIFICATION');
  const [initial] = transactions;
  if (initial) {
    // What Lyra verified (its amount and currency: applied only if they are the order's).
    const answer: LyraPaymentAnswer = {
      shopId: '',
      orderCycle: 'other',
      orderStatus: 'other',
      // On Lyra's clock, like an IPN's: the newest transaction's date (the hub's own clock may differ).
      serverDate:
        transactions
          .map((t) => t.creationDate)
          .filter((date): date is string => date !== undefined)
          .sort()
          .at(-1) ?? now.toISOString(),
      orderDetails: {
        orderTotalAmount: initial.amount,
        orderCurrency: initial.currency,
        orderId: order.orderId,
      },
      transactions,
    };
    const result = await applyLyraAnswer(deps.orders, answer, 'reconciler', now);
    if (result.outcome === 'applied')
      return result.order.payment.state === 'authorized' ? 'authorized' : 'refused';
  }
  // Nothing new: the next look comes a few minutes later.
  await updateLyraOrder(deps.orders, order, (current) =>
    current.payment.state === 'awaiting_payment'
      ? change(current, withPayment(current, { lookedAt: now.toISOString() }), now, [])
      : undefined,
  );
  return 'unchanged';
}
