import type { AffirmOrder } from '../../shared/domain/order.ts';

/** An Affirm order in a given state, for unit tests of pure functions. */
export function affirmOrder(overrides: Partial<AffirmOrder> = {}): AffirmOrder {
  return {
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
    checkout: {
      state: 'sent',
      expiresAt: '2026-01-01T01:00:00.000Z',
      checkoutId: 'CHK1',
      redirectUrl: 'https://x/',
    },
    capturedAmount: 0,
    refundedAmount: 0,
    operations: [],
    refunds: [],
    events: [],
    ...overrides,
  };
}

export const AUTHORIZED = {
  transactionId: 'TXN-1',
  amount: 10_000,
  authorizedAt: '2026-01-01T00:10:00.000Z',
  expiresAt: '2026-01-31T00:10:00.000Z',
};
