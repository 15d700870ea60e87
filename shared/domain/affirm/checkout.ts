/**
 * Flow A (and the start of flow B): open an Affirm store/telesales checkout, then
 * authorize it once the customer has accepted on their phone.
 */

import {
  DeclinedError,
  ExpiredError,
  type FieldError,
  ProviderRejectedError,
  ProviderUnavailableError,
  StateConflictError,
  ValidationError,
} from '../../errors.ts';
import type { Caller } from '../caller.ts';
import { type AffirmOrder, type Channel, change, event, isPast, type Order } from '../order.ts';
import { updateOrder, visibleOrder } from '../order-access.ts';
import type { OrderRepository } from '../ports.ts';
import {
  AffirmFailure,
  type AffirmGateway,
  type AffirmTransaction,
  type StoreCheckoutCreated,
  type StoreCheckoutRequest,
} from './types.ts';

export interface AffirmDeps {
  orders: OrderRepository;
  affirm: AffirmGateway;
}

export interface CheckoutSettings {
  /** How long the customer has to accept, per channel. */
  checkoutTtlSeconds: Record<Channel, number>;
}

/** Transaction statuses that only an authorization leads to. */
const AUTHORIZED_STATUSES: ReadonlySet<AffirmTransaction['status']> = new Set([
  'authorized',
  'captured',
  'partially_refunded',
  'refunded',
  'voided',
  'auth_expired',
]);

/** How long a create attempt owns its reservation before a retry may take it over. */
const CREATE_LEASE_MS = 30_000;

export type CreateStoreCheckoutCommand = Omit<StoreCheckoutRequest, 'expiresAt' | 'storeLocation'> & {
  /** metadata.storeLocation: an admin key's choice; a location key may only repeat its own. */
  storeLocation?: string;
  caller: Caller;
  /** Fingerprint of the request body: the same body may resume an interrupted create. */
  fingerprint: string;
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
): Promise<Order> {
  const location = checkedLocation(command);
  const reservation = newReservation(command, location, settings, now);
  const inserted = await deps.orders.insert(reservation);
  const order = inserted.created
    ? reservation
    : await resumeReservation(deps, inserted.existing, command, now);

  // The caller and the fingerprint are the hub's business, not Affirm's.
  const { caller: _caller, fingerprint: _fingerprint, storeLocation: _asked, ...request } = command;
  let created: StoreCheckoutCreated;
  try {
    created = await deps.affirm.createStoreCheckout({
      ...request,
      storeLocation: location,
      expiresAt: order.checkout.expiresAt,
    });
  } catch (error) {
    if (error instanceof AffirmFailure) {
      await deps.orders.remove(order);
      throw new ProviderRejectedError(`Affirm refused the checkout: ${error.message}`, { cause: error });
    }
    await releaseReservation(deps, order, now);
    throw error;
  }
  return updateOrder(deps.orders, order, (current) =>
    current.checkout.state !== 'creating'
      ? undefined
      : change(
          current,
          { checkout: { state: 'sent', expiresAt: current.checkout.expiresAt, ...created } },
          now,
          [event(now, 'checkout.sent', { checkoutId: created.checkoutId, channel: current.channel })],
        ),
  );
}

/**
 * Checks what the body schema cannot see on its own, before anything is reserved or sent,
 * and returns the store location of the new checkout. Both rules live here rather than in
 * the request schema: the location rule needs the caller, and the amount rule is one the hub
 * keeps for every checkout it opens whatever the entry point. Running after the
 * Idempotency-Key check also keeps API.md's promise that a reused key with a different body
 * is 422 IDEMPOTENCY_KEY_REUSED, which a schema refinement (run first) would turn into a 400.
 */
function checkedLocation(command: CreateStoreCheckoutCommand): string {
  const location = storeLocationOf(command);
  const errors = [...(location.error ? [location.error] : []), ...itemsTotalErrors(command)];
  if (errors.length > 0) throw new ValidationError('The request body is not valid.', errors);
  return location.value;
}

/**
 * The store location owns the order and Affirm records it. A location key's own location
 * decides: it may repeat it in `metadata.storeLocation` but not name another store, or a
 * Denver key could book sales as Boston's. An admin key chooses (`admin` when it names none).
 */
function storeLocationOf(command: CreateStoreCheckoutCommand): { value: string; error?: FieldError } {
  const { caller, storeLocation } = command;
  if (caller.role === 'admin') return { value: storeLocation ?? 'admin' };
  if (storeLocation === undefined || storeLocation === caller.location) return { value: caller.location };
  return {
    value: caller.location,
    error: {
      path: 'metadata.storeLocation',
      message: `must be this API key's location (${caller.location}) or be omitted`,
    },
  };
}

/**
 * When items are listed (even an empty list), their unitPrice x quantity plus taxAmount plus
 * shippingAmount must equal `amount`, or the customer would see one total and pay another.
 * Without items there is nothing to check. The sum is taken in BigInt: 500 items of
 * 10_000 x MAX_MINOR_AMOUNT reach 5e17, far past Number.MAX_SAFE_INTEGER, where a double
 * would round. The amounts themselves are integers (the body schema made sure).
 */
function itemsTotalErrors(command: CreateStoreCheckoutCommand): FieldError[] {
  if (!command.items) return [];
  const total =
    command.items.reduce((sum, item) => sum + BigInt(item.unitPrice) * BigInt(item.quantity), 0n) +
    BigInt(command.taxAmount ?? 0) +
    BigInt(command.shippingAmount ?? 0);
  if (total === BigInt(command.amount)) return [];
  return [
    {
      path: 'amount',
      message: `must equal the items (unitPrice x quantity) plus taxAmount plus shippingAmount, which add up to ${total}`,
    },
  ];
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
    checkout: {
      state: 'creating',
      expiresAt: expiresAt.toISOString(),
      leaseUntil: new Date(now.getTime() + CREATE_LEASE_MS).toISOString(),
    },
    capturedAmount: 0,
    refundedAmount: 0,
    operations: [],
    refunds: [],
    events: [],
  };
}

/** A retry of the very same create whose first attempt ended without an answer may take the reservation over. */
async function resumeReservation(
  deps: AffirmDeps,
  existing: Order,
  command: CreateStoreCheckoutCommand,
  now: Date,
): Promise<Order> {
  const sameRequest =
    existing.checkout.state === 'creating' && existing.requestFingerprint === command.fingerprint;
  if (!sameRequest) throw new StateConflictError('ORDER_EXISTS', `Order ${command.orderId} already exists.`);
  if (existing.checkout.leaseUntil && !isPast(existing.checkout.leaseUntil, now)) {
    throw new StateConflictError('OPERATION_IN_PROGRESS', 'This order is being created by another request.', {
      retryable: true,
    });
  }
  const lease = new Date(now.getTime() + CREATE_LEASE_MS).toISOString();
  // Conditional on the version read: of two concurrent retries, one takes the lease.
  return deps.orders.save(
    change(existing, { checkout: { ...existing.checkout, leaseUntil: lease } }, now, []),
  );
}

/** After an ambiguous failure the reservation stays, but its lease ends now so the retry can resume at once. */
async function releaseReservation(deps: AffirmDeps, order: Order, now: Date): Promise<void> {
  try {
    await deps.orders.save(
      change(order, { checkout: { ...order.checkout, leaseUntil: now.toISOString() } }, now, []),
    );
  } catch {
    // Losing this write only delays a retry until the lease runs out; the original error matters more.
  }
}

export interface AuthorizeCommand {
  checkoutId: string;
  caller: Caller;
}

/**
 * Authorizes the checkout at Affirm and records the loan. Idempotent: an authorized
 * checkout returns the stored authorization without calling Affirm, and a retry after
 * an unknown outcome sends Affirm the same Idempotency-Key. Expiry is checked before
 * any call to Affirm.
 */
export async function authorizeCheckout(
  deps: AffirmDeps,
  command: AuthorizeCommand,
  now: Date,
): Promise<Order> {
  const order = visibleOrder(
    await deps.orders.findByProviderRef('affirm', command.checkoutId),
    command.caller,
  );
  if (order.authorization) return order;
  if (order.checkout.state === 'declined')
    throw new DeclinedError('The customer declined the Affirm checkout.');
  if (order.checkout.state === 'expired' || isPast(order.checkout.expiresAt, now)) {
    throw new ExpiredError('CHECKOUT_EXPIRED', 'The Affirm checkout expired before it was authorized.');
  }

  let transaction: AffirmTransaction;
  try {
    transaction = await deps.affirm.authorize({
      checkoutId: command.checkoutId,
      orderId: order.orderId,
      attempt: order.checkout.authorizeAttempt ?? 0,
    });
  } catch (error) {
    if (!(error instanceof AffirmFailure)) throw error;
    transaction = await recoverAuthorization(deps, order, error, now);
  }
  return updateOrder(deps.orders, order, (current) =>
    current.authorization ? undefined : recordAuthorization(current, transaction, now),
  );
}

async function recoverAuthorization(
  deps: AffirmDeps,
  order: Order,
  failure: AffirmFailure,
  now: Date,
): Promise<AffirmTransaction> {
  const attempt = order.checkout.authorizeAttempt ?? 0;
  /** Records a definite refusal: the next attempt gets a fresh Idempotency-Key, and `state` if given. */
  const refused = (state?: 'declined' | 'expired', type?: string) =>
    updateOrder(deps.orders, order, (current) =>
      current.authorization || (current.checkout.authorizeAttempt ?? 0) !== attempt
        ? undefined
        : change(
            current,
            { checkout: { ...current.checkout, ...(state ? { state } : {}), authorizeAttempt: attempt + 1 } },
            now,
            type ? [event(now, type, { providerCode: failure.providerCode })] : [],
          ),
    );
  switch (failure.reason) {
    case 'already_authorized': {
      // Authorized by an earlier attempt whose answer was lost, and Affirm did not replay it for our
      // Idempotency-Key. Reading the transaction by checkout id recovers the loan id. Affirm keeps a
      // transaction from the customer's confirmation on (status `confirmed`): only a status that an
      // authorization leads to is taken as the loan; anything else is an unknown outcome.
      const transaction = await deps.affirm.readTransaction(order.checkout.checkoutId ?? '');
      if (!AUTHORIZED_STATUSES.has(transaction.status)) {
        throw new ProviderUnavailableError(
          'Affirm reported the checkout authorized but its transaction is not.',
          { publicDetail: 'Affirm has not finished authorizing this checkout.' },
        );
      }
      return transaction;
    }
    case 'in_progress':
      // Affirm is still processing this very key: an unknown outcome, so the key must not change.
      throw new StateConflictError('OPERATION_IN_PROGRESS', 'Another request is authorizing this checkout.', {
        retryable: true,
      });
    case 'not_confirmed':
      await refused();
      throw new StateConflictError(
        'CHECKOUT_NOT_CONFIRMED',
        'The customer has not finished the Affirm checkout yet.',
        {
          retryable: true,
        },
      );
    case 'declined':
      await refused('declined', 'checkout.declined');
      throw new DeclinedError('Affirm declined the financing.');
    case 'checkout_expired':
      await refused('expired', 'checkout.expired');
      throw new ExpiredError('CHECKOUT_EXPIRED', 'The Affirm checkout expired before it was authorized.');
    case 'credentials':
      await refused();
      throw new ProviderUnavailableError('Affirm refused the merchant credentials.', { cause: failure });
    default:
      await refused(undefined, 'authorization.failed');
      throw new ProviderRejectedError(`Affirm refused the authorization: ${failure.message}`, {
        cause: failure,
      });
  }
}

/**
 * Records what Affirm actually authorized. Should Affirm ever authorize an amount other
 * than the order's, the hub records Affirm's figure (the money that really exists) and
 * notes the difference in the event log, rather than trusting its own.
 */
function recordAuthorization(order: Order, transaction: AffirmTransaction, now: Date) {
  const expiresAt =
    transaction.authorizationExpiresAt ?? new Date(now.getTime() + 30 * 86_400_000).toISOString();
  const detail: Record<string, string | number> = {
    transactionId: transaction.id,
    amount: transaction.amount,
  };
  if (transaction.amount !== order.amount) detail.orderAmount = order.amount;
  return change(
    order,
    {
      checkout: { ...order.checkout, state: 'confirmed', leaseUntil: undefined },
      authorization: {
        transactionId: transaction.id,
        amount: transaction.amount,
        authorizedAt: now.toISOString(),
        expiresAt,
      },
    },
    now,
    [event(now, 'authorization.succeeded', detail)],
  );
}
