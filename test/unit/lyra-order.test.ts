/**
 * When the reconciler asks Lyra about a payment (shared/domain/lyra/order.ts): every few minutes
 * while it is awaited (its IPN may be lost), for a week at most, never once it ended.
 */

import { describe, expect, it } from 'vitest';
import {
  AWAITED_LOOK_EVERY_MS,
  AWAITED_LOOK_FOR_MS,
  type LyraOrder,
  reconcileDueAt,
} from '#shared/domain/lyra/order.ts';
import type { LyraPayment } from '#shared/domain/lyra/types.ts';
import { NO_MONEY_YET } from '#shared/domain/order.ts';

const CREATED = '2026-03-01T12:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(CREATED) + ms).toISOString();

function lyraOrder(payment: Partial<LyraPayment>): LyraOrder {
  return {
    orderId: 'ship-1',
    provider: 'lyra',
    channel: 'online',
    location: 'Denver',
    amount: 7412,
    currency: 'EUR',
    createdAt: CREATED,
    updatedAt: CREATED,
    version: 1,
    requestFingerprint: 'fp',
    payment: { state: 'awaiting_payment', ...payment },
    ...NO_MONEY_YET,
    operations: [],
    refunds: [],
    shipments: [],
    events: [],
  };
}

describe('the reconciler’s looks at a Lyra payment', () => {
  it('looks at an awaited payment a few minutes after its creation, then after each look', () => {
    expect(reconcileDueAt(lyraOrder({}))).toBe(at(AWAITED_LOOK_EVERY_MS));
    const lookedAt = at(3 * 3600_000);
    expect(reconcileDueAt(lyraOrder({ lookedAt }))).toBe(at(3 * 3600_000 + AWAITED_LOOK_EVERY_MS));
  });

  it('stops looking a week after the payment was opened', () => {
    const lastLook = at(AWAITED_LOOK_FOR_MS - AWAITED_LOOK_EVERY_MS);
    expect(reconcileDueAt(lyraOrder({ lookedAt: lastLook }))).toBe(at(AWAITED_LOOK_FOR_MS));
    const afterIt = at(AWAITED_LOOK_FOR_MS - AWAITED_LOOK_EVERY_MS + 1);
    expect(reconcileDueAt(lyraOrder({ lookedAt: afterIt }))).toBeUndefined();
  });

  it('never looks at a payment that ended', () => {
    expect(reconcileDueAt(lyraOrder({ state: 'authorized' }))).toBeUndefined();
    expect(reconcileDueAt(lyraOrder({ state: 'refused' }))).toBeUndefined();
  });
});
