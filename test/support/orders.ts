import type { AffirmOrder } from '../../shared/domain/affirm/order.ts';
import type { AffirmCheckout } from '../../shared/domain/affirm/types.ts';
import { expectedBalances } from '../../shared/domain/operation-money.ts';
import { NO_MONEY_YET } from '../../shared/domain/order.ts';

/** An authorization as tests describe it; affirmOrder spreads it over the order's core and payment. */
export interface TestAuthorization {
  transactionId: string;
  amount: number;
  authorizedAt: string;
  expiresAt: string;
}

export type AffirmOrderOverrides = Partial<Omit<AffirmOrder, 'payment'>> & {
  checkout?: Partial<AffirmCheckout>;
  authorization?: TestAuthorization;
};

/**
 * An Affirm order in a given state, for unit tests: a sent checkout, or authorized when
 * `authorization` is given. The balances follow from the totals unless the overrides set them.
 */
export function affirmOrder(overrides: AffirmOrderOverrides = {}): AffirmOrder {
  const { checkout, authorization, ...core } = overrides;
  const order: AffirmOrder = {
    orderId: 'order-1',
    provider: 'affirm',
    channel: 'in_store',
    location: 'Denver',
    amount: 10_000,
    currency: 'USD',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    requestFingerprint: 'fp',
    payment: {
      checkout: {
        state: authorization ? 'confirmed' : 'sent',
        expiresAt: '2026-01-01T01:00:00.000Z',
        checkoutId: 'CHK1',
        redirectUrl: 'https://x/',
        ...checkout,
      },
      ...(authorization
        ? { transactionId: authorization.transactionId, authorizedAt: authorization.authorizedAt }
        : {}),
    },
    ...NO_MONEY_YET,
    ...(authorization
      ? {
          authorizedAmount: authorization.amount,
          capturableAmount: authorization.amount,
          authorizationExpiresAt: authorization.expiresAt,
        }
      : {}),
    operations: [],
    refunds: [],
    shipments: [],
    events: [],
    ...core,
  };
  return {
    ...order,
    ...expectedBalances(order),
    ...('capturableAmount' in core ? { capturableAmount: order.capturableAmount } : {}),
    ...('refundableAmount' in core ? { refundableAmount: order.refundableAmount } : {}),
  };
}

export const AUTHORIZED: TestAuthorization = {
  transactionId: 'TXN-1',
  amount: 10_000,
  authorizedAt: '2026-01-01T00:10:00.000Z',
  expiresAt: '2026-01-31T00:10:00.000Z',
};
