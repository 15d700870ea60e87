/**
 * Flow A (and the start of flow B): open an Affirm store/telesales checkout. Authorizing it
 * once the customer has accepted is in authorize.ts.
 */

import { ProviderRejectedError } from '../../errors.ts';
import type { Caller } from '../caller.ts';
import { createLeaseFrom, type Reservation, releaseCreationLease, resumeCreation } from '../creation.ts';
import { change, event, NO_MONEY_YET } from '../order.ts';
import type { OrderRepository, RidingWriteFor } from '../ports.ts';
import { requireOwnOrderId } from '../store-location.ts';
import { checkedLocation } from './checkout-rules.ts';
import { type AffirmOrder, asAffirm, updateAffirmOrder, withCheckout } from './order.ts';
import {
  type AffirmChannel,
  AffirmFailure,
  type AffirmGateway,
  type StoreCheckoutCreated,
  type StoreCheckoutRequest,
} from './types.ts';

export interface AffirmDeps {
  orders: OrderRepository;
  affirm: AffirmGateway;
}

export interface CheckoutSettings {
  /** How long the customer has to accept, per channel. */
  checkoutTtlSeconds: Record<AffirmChannel, number>;
}

/** How long a create attempt owns its reservation before a retry may take it over. */

export type CreateStoreCheckoutCommand = Omit<StoreCheckoutRequest, 'expiresAt' | 'storeLocation'> & {
  /** metadata.storeLocation: an admin key's choice; a location key may only repeat its own. */
  storeLocation?: string;
  caller: Caller;
  /** Fingerprint of the request body: the same body may resume an interrupted create. */
  fingerprint: string;
  /** A write to ride in the change that records the checkout as sent (the request's stored answer). */
  riding?: RidingWriteFor;
};

/**
 * Reserves the order id, opens the checkout at Affirm, records it as `sent`.
 * Throws VALIDATION_FAILED, before anything is reserved, for a location key naming another
 * store location and for items that do not add up to the amount; ORDER_EXISTS for a taken id
 * (unless this is a retry of the same, unfinished create); PROVIDER_REJECTED when Affirm
 * refuses (the id is freed again); PROVIDER_UNAVAILABLE when Affirm's answer is unknown (the
 * reservation is kept for the retry).
 */
export async function createStoreCheckout(
  deps: AffirmDeps,
  settings: CheckoutSettings,
  command: CreateStoreCheckoutCommand,
  now: Date,
): Promise<AffirmOrder> {
  requireOwnOrderId(command.orderId);
  const location = checkedLocation(command);
  const reservation = newReservation(command, location, settings, now);
  const inserted = await deps.orders.insert(reservation);
  const order = inserted.created
    ? reservation
    : await resumeCreation(deps.orders, inserted.existing, AFFIRM_RESERVATION, command, now);

  // The caller and the fingerprint are the hub's business, not Affirm's.
  const { caller: _caller, fingerprint: _fingerprint, storeLocation: _asked, riding, ...request } = command;
  let created: StoreCheckoutCreated;
  try {
    created = await deps.affirm.createStoreCheckout({
      ...request,
      storeLocation: location,
      expiresAt: order.payment.checkout.expiresAt,
    });
  } catch (error) {
    if (error instanceof AffirmFailure) {
      await deps.orders.remove(order);
      throw new ProviderRejectedError(`Affirm refused the checkout: ${error.message}`, { cause: error });
    }
    await releaseCreationLease(deps.orders, order, AFFIRM_RESERVATION, now);
    throw error;
  }
  return updateAffirmOrder(
    deps.orders,
    order,
    (current) =>
      current.payment.checkout.state !== 'creating'
        ? undefined
        : change(
            current,
            withCheckout(current, {
              state: 'sent',
              expiresAt: current.payment.checkout.expiresAt,
              ...created,
            }),
            now,
            [event(now, 'checkout.sent', { checkoutId: created.checkoutId, channel: current.channel })],
          ),
    riding,
  );
}

function newReservation(
  command: CreateStoreCheckoutCommand,
  location: string,
  settings: CheckoutSettings,
  now: Date,
): AffirmOrder {
  const expiresAt = new Date(now.getTime() + settings.checkoutTtlSeconds[command.channel] * 1000);
  // Affirm takes checkout_expiration without milliseconds.
  expiresAt.setUTCMilliseconds(0);
  return {
    orderId: command.orderId,
    provider: 'affirm',
    channel: command.channel,
    location,
    amount: command.amount,
    currency: command.currency,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 0,
    requestFingerprint: command.fingerprint,
    payment: {
      checkout: {
        state: 'creating',
        expiresAt: expiresAt.toISOString(),
        leaseUntil: createLeaseFrom(now),
      },
    },
    ...NO_MONEY_YET,
    operations: [],
    refunds: [],
    shipments: [],
    events: [],
  };
}

/** How an Affirm checkout keeps its reservation (shared/domain/creation.ts). */
const AFFIRM_RESERVATION: Reservation<AffirmOrder> = {
  creating: (stored) => {
    if (stored.provider !== 'affirm') return undefined;
    const order = asAffirm(stored);
    const { checkout } = order.payment;
    return checkout.state === 'creating' ? { order, leaseUntil: checkout.leaseUntil } : undefined;
  },
  withLease: (order, leaseUntil) => withCheckout(order, { leaseUntil }),
};
