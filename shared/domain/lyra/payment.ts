/**
 * Flow C, step 1: open a Lyra payment on shipment. The order id is reserved, Lyra's
 * Charge/CreatePayment (useCase SHIPMENT_MULTIPLE_AUTHORISATION, the hub's IPN URL) gives the
 * embedded form's token, and the order awaits the shopper's payment. Nothing is debited: the
 * shopper authenticates on the whole amount, and each shipment is debited later.
 */

import { randomBytes } from 'node:crypto';
import { ProviderRejectedError, ValidationError } from '../../errors.ts';
import type { Caller } from '../caller.ts';
import { createLeaseFrom, type Reservation, releaseCreationLease, resumeCreation } from '../creation.ts';
import { change, event, NO_MONEY_YET } from '../order.ts';
import { type OrderRepository, ProviderRefusal, type RidingWriteFor } from '../ports.ts';
import type { SnipcartLink } from '../snipcart/link.ts';
import { orderLocation, requireOwnOrderId } from '../store-location.ts';
import { asLyra, type LyraOrder, updateLyraOrder, withPayment } from './order.ts';
import type { LyraCreatePaymentRequest, LyraGateway } from './types.ts';

export interface LyraDeps {
  orders: OrderRepository;
  lyra: LyraGateway;
  /** Where Lyra posts its IPNs (the hub's `POST /v1/lyra/ipn`). */
  ipnUrl: string;
}

export interface CreateLyraPaymentCommand {
  orderId: string;
  amount: number;
  currency: string;
  customer: LyraCreatePaymentRequest['customer'];
  metadata?: Record<string, string>;
  caller: Caller;
  /** Fingerprint of the request body: the same body may resume an interrupted create. */
  fingerprint: string;
  /** A write to ride in the change that records the form token (the request's stored answer). */
  riding?: RidingWriteFor;
  /** The storefront whose checkout the payment is for (Snipcart's session), told once it is authorized. */
  storefront?: SnipcartLink;
}

/**
 * Reserves the order id, asks Lyra for the payment form, records it as awaiting payment.
 * ORDER_EXISTS for a taken id (unless this is a retry of the same, unfinished create);
 * PROVIDER_REJECTED when Lyra refuses (the id is freed again); PROVIDER_UNAVAILABLE when
 * Lyra's answer is unknown (the reservation is kept; the retry asks again: a second form token
 * moves no money, only the one the hub keeps is shown).
 */
export async function createLyraPayment(
  deps: LyraDeps,
  command: CreateLyraPaymentCommand,
  now: Date,
): Promise<LyraOrder> {
  requireOwnOrderId(command.orderId, command.storefront !== undefined);
  const location = orderLocation(command.caller, command.metadata?.storeLocation);
  if (location.error) throw new ValidationError('The request body is not valid.', [location.error]);
  const reservation = newReservation(command, location.value, now);
  const inserted = await deps.orders.insert(reservation);
  const order = inserted.created
    ? reservation
    : await resumeCreation(deps.orders, inserted.existing, LYRA_RESERVATION, command, now);

  let formToken: string;
  try {
    ({ formToken } = await deps.lyra.createPayment({
      orderId: command.orderId,
      amount: command.amount,
      currency: command.currency,
      customer: command.customer,
      ipnTargetUrl: deps.ipnUrl,
      ...(command.metadata ? { metadata: command.metadata } : {}),
    }));
  } catch (error) {
    if (error instanceof ProviderRefusal && error.kind !== 'in_progress') {
      await deps.orders.remove(order);
      throw new ProviderRejectedError(`Lyra refused the payment: ${error.message}`, { cause: error });
    }
    await releaseCreationLease(deps.orders, order, LYRA_RESERVATION, now);
    throw error;
  }
  return updateLyraOrder(
    deps.orders,
    order,
    (current) =>
      current.payment.state !== 'creating'
        ? undefined
        : change(
            current,
            withPayment(current, { state: 'awaiting_payment', formToken, leaseUntil: undefined }),
            now,
            [event(now, 'payment.created', { amount: current.amount, currency: current.currency })],
          ),
    command.riding,
  );
}

/**
 * A new form for a payment whose card was refused and whose form Lyra closed (the shopper may try
 * another card on the same order): CreatePayment again for the same order and amount, and the
 * payment awaits the shopper once more. Only a refused, never-authorized payment is renewed; a
 * second form token from a concurrent renewal moves no money and is not kept.
 */
export async function renewLyraPayment(
  deps: LyraDeps,
  order: LyraOrder,
  customer: LyraCreatePaymentRequest['customer'],
  now: Date,
): Promise<LyraOrder> {
  if (order.payment.state !== 'refused' || order.authorizedAmount > 0) return order;
  // What the closed form left at Lyra: its refusal must not be read as the new form's verdict.
  const earlier = (await deps.lyra.readOrder(order.orderId, 'VERIFICATION')).map((t) => t.uuid);
  const { formToken } = await deps.lyra.createPayment({
    orderId: order.orderId,
    amount: order.amount,
    currency: order.currency,
    customer,
    ipnTargetUrl: deps.ipnUrl,
  });
  return updateLyraOrder(deps.orders, order, (current) =>
    current.payment.state !== 'refused' || current.authorizedAmount > 0
      ? undefined
      : change(
          current,
          withPayment(current, {
            state: 'awaiting_payment',
            formToken,
            supersededTransactions: [
              ...new Set([...(current.payment.supersededTransactions ?? []), ...earlier]),
            ],
          }),
          now,
          [event(now, 'payment.renewed')],
        ),
  );
}

function newReservation(command: CreateLyraPaymentCommand, location: string, now: Date): LyraOrder {
  return {
    orderId: command.orderId,
    provider: 'lyra',
    channel: 'online',
    location,
    amount: command.amount,
    currency: command.currency,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 0,
    requestFingerprint: command.fingerprint,
    payment: {
      state: 'creating',
      leaseUntil: createLeaseFrom(now),
      // The pay page's address: unguessable, so that order ids cannot be probed for payment forms.
      payToken: randomBytes(18).toString('base64url'),
    },
    ...NO_MONEY_YET,
    ...(command.storefront ? { storefront: command.storefront } : {}),
    operations: [],
    refunds: [],
    shipments: [],
    events: [],
  };
}

/** How a Lyra payment keeps its reservation (shared/domain/creation.ts). */
const LYRA_RESERVATION: Reservation<LyraOrder> = {
  creating: (stored) =>
    stored.provider === 'lyra' && stored.payment.state === 'creating'
      ? { order: asLyra(stored), leaseUntil: stored.payment.leaseUntil }
      : undefined,
  withLease: (order, leaseUntil) => withPayment(order, { leaseUntil }),
};
