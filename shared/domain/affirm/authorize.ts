/**
 * Authorizing an Affirm checkout once the customer has accepted (flow A's associate, flow B's
 * webhook and reconciler all come here): one use case, idempotent, safe against itself racing.
 */

import {
  DeclinedError,
  ExpiredError,
  ProviderRejectedError,
  ProviderUnavailableError,
  StateConflictError,
} from '../../errors.ts';
import type { Caller } from '../caller.ts';
import { change, event, isPast } from '../order.ts';
import { visibleOrder } from '../order-access.ts';
import type { RidingWriteFor } from '../ports.ts';
import type { AffirmDeps } from './checkout.ts';
import { type AffirmOrder, asAffirm, isAuthorized, updateAffirmOrder, withCheckout } from './order.ts';
import { AffirmFailure, type AffirmTransaction } from './types.ts';

/** Transaction statuses that only an authorization leads to. */
const AUTHORIZED_STATUSES: ReadonlySet<AffirmTransaction['status']> = new Set([
  'authorized',
  'captured',
  'partially_refunded',
  'refunded',
  'voided',
  'auth_expired',
]);

/** Affirm authorizations last 30 days; used only if Affirm's answer omits its expiry. */
const AUTHORIZATION_DAYS = 30;

export interface AuthorizeCommand {
  checkoutId: string;
  caller: Caller;
  /** A write to ride in the change that records the loan (the request's stored answer). */
  riding?: RidingWriteFor;
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
): Promise<AffirmOrder> {
  const order = asAffirm(
    visibleOrder(await deps.orders.findByProviderRef('affirm', command.checkoutId), command.caller),
  );
  const { checkout } = order.payment;
  if (isAuthorized(order)) return order;
  if (checkout.state === 'declined') throw new DeclinedError('The customer declined the Affirm checkout.');
  if (checkout.state === 'expired' || isPast(checkout.expiresAt, now)) {
    throw new ExpiredError('CHECKOUT_EXPIRED', 'The Affirm checkout expired before it was authorized.');
  }

  let transaction: AffirmTransaction;
  try {
    transaction = await deps.affirm.authorize({
      checkoutId: command.checkoutId,
      orderId: order.orderId,
      attempt: checkout.authorizeAttempt ?? 0,
    });
  } catch (error) {
    if (!(error instanceof AffirmFailure)) throw error;
    transaction = await recoverAuthorization(deps, order, error, now);
  }
  return updateAffirmOrder(
    deps.orders,
    order,
    (current) => (isAuthorized(current) ? undefined : recordAuthorization(current, transaction, now)),
    command.riding,
  );
}

async function recoverAuthorization(
  deps: AffirmDeps,
  order: AffirmOrder,
  failure: AffirmFailure,
  now: Date,
): Promise<AffirmTransaction> {
  const attempt = order.payment.checkout.authorizeAttempt ?? 0;
  /** Records a definite refusal: the next attempt gets a fresh Idempotency-Key, and `state` if given. */
  const refused = (state?: 'declined' | 'expired', type?: string) =>
    updateAffirmOrder(deps.orders, order, (current) =>
      isAuthorized(current) || (current.payment.checkout.authorizeAttempt ?? 0) !== attempt
        ? undefined
        : change(
            current,
            withCheckout(current, { ...(state ? { state } : {}), authorizeAttempt: attempt + 1 }),
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
      const transaction = await deps.affirm.readTransaction(order.payment.checkout.checkoutId ?? '');
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
function recordAuthorization(order: AffirmOrder, transaction: AffirmTransaction, now: Date) {
  const expiresAt =
    transaction.authorizationExpiresAt ??
    new Date(now.getTime() + AUTHORIZATION_DAYS * 86_400_000).toISOString();
  const detail: Record<string, string | number> = {
    transactionId: transaction.id,
    amount: transaction.amount,
  };
  if (transaction.amount !== order.amount) detail.orderAmount = order.amount;
  return change(
    order,
    {
      authorizedAmount: transaction.amount,
      capturableAmount: transaction.amount,
      authorizationExpiresAt: expiresAt,
      payment: {
        checkout: { ...order.payment.checkout, state: 'confirmed', leaseUntil: undefined },
        transactionId: transaction.id,
        authorizedAt: now.toISOString(),
      },
    },
    now,
    [event(now, 'authorization.succeeded', detail)],
  );
}
