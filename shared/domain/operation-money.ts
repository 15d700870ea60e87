/**
 * What each step of an operation does to the order's money, as deltas the data layer adds
 * atomically (so concurrent operations on one order never read-modify-write each other):
 *
 *                 reserve                         succeed                           fail (release)
 *   capture/debit capturable -a, reserved +a      reserved -a, captured +a,         reserved -a, capturable +a
 *                 (needs capturable >= a)         refundable +a
 *   refund        refundable -a, refundReserved +a refundReserved -a, refunded +a   refundReserved -a, refundable +a
 *                 (needs refundable >= a)
 *   void          capturable -a, reserved +a      reserved -a (the rest is voided)  reserved -a, capturable +a
 *                 (a = all that is capturable)
 *
 * and inFlight +1 on reserve, -1 when the operation ends either way. An unresolved outcome
 * changes nothing: the reservation stays until the operation is settled.
 */

import type { Operation, OperationKind, Order, OrderCore } from './order.ts';

export type MoneyCounter =
  | 'capturedAmount'
  | 'refundedAmount'
  | 'reservedAmount'
  | 'refundReservedAmount'
  | 'capturableAmount'
  | 'refundableAmount'
  | 'inFlight';

export type CounterDeltas = Partial<Record<MoneyCounter, number>>;

/** The balance a reservation must find available, and how much of it. */
export type Requirement = { balance: 'capturableAmount' | 'refundableAmount'; atLeast: number } | undefined;

const takesFromAuthorization = (kind: OperationKind) => kind !== 'refund';

/** The deltas and the balance requirement of reserving `operation`. */
export function reservation(operation: Pick<Operation, 'kind' | 'amount'>): {
  deltas: CounterDeltas;
  requires: Requirement;
} {
  const a = operation.amount;
  if (takesFromAuthorization(operation.kind)) {
    return {
      deltas: { capturableAmount: -a, reservedAmount: a, inFlight: 1 },
      requires: { balance: 'capturableAmount', atLeast: a },
    };
  }
  return {
    deltas: { refundableAmount: -a, refundReservedAmount: a, inFlight: 1 },
    requires: { balance: 'refundableAmount', atLeast: a },
  };
}

/** The deltas of ending `operation`: the reservation becomes money moved, or is released. */
export function settlement(operation: Pick<Operation, 'kind' | 'amount'>, outcome: 'succeeded' | 'failed') {
  const a = operation.amount;
  const deltas: CounterDeltas = { inFlight: -1 };
  switch (operation.kind) {
    case 'capture':
    case 'debit':
      Object.assign(
        deltas,
        outcome === 'succeeded'
          ? { reservedAmount: -a, capturedAmount: a, refundableAmount: a }
          : { reservedAmount: -a, capturableAmount: a },
      );
      break;
    case 'refund':
      Object.assign(
        deltas,
        outcome === 'succeeded'
          ? { refundReservedAmount: -a, refundedAmount: a }
          : { refundReservedAmount: -a, refundableAmount: a },
      );
      break;
    case 'void':
      Object.assign(
        deltas,
        outcome === 'succeeded' ? { reservedAmount: -a } : { reservedAmount: -a, capturableAmount: a },
      );
      break;
  }
  return deltas;
}

/** The order's counters with `deltas` added (the in-memory image of what the data layer writes). */
export function withDeltas<O extends Order>(order: O, deltas: CounterDeltas): O {
  const next: O = { ...order };
  for (const [counter, delta] of Object.entries(deltas) as [MoneyCounter, number][]) {
    (next as OrderCore)[counter] = order[counter] + delta;
  }
  return next;
}

/**
 * The balances recomputed from the totals: what the stored balances must always equal. Used by
 * tests, and by the reconciliation of a stored order.
 */
export function expectedBalances(order: Order): Pick<OrderCore, 'capturableAmount' | 'refundableAmount'> {
  const voidedRemainder = order.voidedAt
    ? order.authorizedAmount - order.capturedAmount - order.reservedAmount
    : 0;
  return {
    capturableAmount: order.authorizedAmount - order.capturedAmount - order.reservedAmount - voidedRemainder,
    refundableAmount: order.capturedAmount - order.refundedAmount - order.refundReservedAmount,
  };
}
