/**
 * The hub's own refund limit (refundOrder in shared/domain/affirm/transaction.ts): never more
 * than captured minus refunded, and nothing before capture or after a void. The fake Affirm
 * accepts every refund it is sent and counts them, so a refusal here can only be the hub's.
 */

import { describe, expect, it } from 'vitest';
import type { AffirmGateway } from '#shared/domain/affirm/types.ts';
import type { Caller } from '#shared/domain/caller.ts';
import type { SagaDeps } from '#shared/domain/operations.ts';
import type { Order } from '#shared/domain/order.ts';
import { refundOrder } from '#shared/domain/transactions.ts';
import { HubError } from '#shared/errors.ts';
import { createAffirmConnector } from '#shared/providers/affirm/connector.ts';
import { memoryOrders } from '../support/memory-orders.ts';
import { type AffirmOrderOverrides, AUTHORIZED, affirmOrder } from '../support/orders.ts';

const caller: Caller = { keyId: 'key_pos', role: 'location', location: 'Denver' };
const NOW = new Date('2026-01-02T00:00:00.000Z');

/** An Affirm that refunds whatever it is asked, and remembers the amounts. */
function generousAffirm(): { gateway: AffirmGateway; refunds: number[] } {
  const refunds: number[] = [];
  const unused = async (): Promise<never> => {
    throw new Error('not used by refunds');
  };
  return {
    refunds,
    gateway: {
      refund: async ({ amount, operationId }) => {
        refunds.push(amount);
        return { eventId: `ev-${operationId}`, amount };
      },
      createStoreCheckout: unused,
      readCheckout: unused,
      authorize: unused,
      readTransaction: unused,
      capture: unused,
      void: unused,
    },
  };
}

/** An authorized order of 10_000 with the given amounts; 'order-1' at Denver. */
function setup(overrides: AffirmOrderOverrides) {
  const orders = memoryOrders();
  const affirm = generousAffirm();
  const deps: SagaDeps = { orders, connectors: () => createAffirmConnector(affirm.gateway) };
  const order = affirmOrder({
    authorization: AUTHORIZED,
    checkout: { state: 'confirmed' },
    ...overrides,
  });
  orders.stored.set('order-1', order);
  const refund = (amount?: number) =>
    refundOrder(deps, { orderId: 'order-1', caller, ...(amount === undefined ? {} : { amount }) }, NOW);
  const stored = () => orders.stored.get('order-1') as Order;
  return { refund, stored, before: order, affirmRefunds: affirm.refunds };
}

async function code(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return error instanceof HubError ? error.code : `not a HubError: ${String(error)}`;
  }
}

describe('refund limit', () => {
  it('refuses more than captured minus refunded without asking Affirm, and changes nothing', async () => {
    const { refund, stored, before, affirmRefunds } = setup({
      capturedAmount: 10_000,
      refundedAmount: 3_000,
    });
    expect(await code(() => refund(7_001))).toBe('AMOUNT_EXCEEDS_CAPTURED');
    expect(affirmRefunds).toEqual([]);
    expect(stored()).toEqual(before);
  });

  it('states how much can still be refunded', async () => {
    const { refund } = setup({ capturedAmount: 10_000, refundedAmount: 3_000 });
    await expect(refund(7_001)).rejects.toThrow(/At most 7000 USD minor units/);
  });

  it('refunds exactly what is left when asked for it', async () => {
    const { refund, affirmRefunds } = setup({ capturedAmount: 10_000, refundedAmount: 3_000 });
    const { order } = await refund(7_000);
    expect(affirmRefunds).toEqual([7_000]);
    expect(order.refundedAmount).toBe(10_000);
  });

  it('refunds exactly what is left when no amount is given', async () => {
    const { refund, stored, affirmRefunds } = setup({ capturedAmount: 10_000, refundedAmount: 3_000 });
    const { order } = await refund();
    expect(affirmRefunds).toEqual([7_000]);
    expect(order.refundedAmount).toBe(10_000);
    expect(stored().refunds.map((r) => r.amount)).toEqual([7_000]);
  });

  it('refuses any refund once everything captured was refunded, with or without an amount', async () => {
    const { refund, affirmRefunds } = setup({ capturedAmount: 10_000, refundedAmount: 10_000 });
    expect(await code(() => refund(1))).toBe('AMOUNT_EXCEEDS_CAPTURED');
    expect(await code(() => refund())).toBe('AMOUNT_EXCEEDS_CAPTURED');
    expect(affirmRefunds).toEqual([]);
  });

  it('refuses a refund before capture, with or without an amount, without asking Affirm', async () => {
    const { refund, affirmRefunds } = setup({ capturedAmount: 0 });
    expect(await code(() => refund(1))).toBe('INVALID_STATE');
    expect(await code(() => refund())).toBe('INVALID_STATE');
    expect(affirmRefunds).toEqual([]);
  });

  it('refuses a refund after a void, without asking Affirm', async () => {
    const { refund, affirmRefunds } = setup({ capturedAmount: 0, voidedAt: '2026-01-01T12:00:00.000Z' });
    expect(await code(() => refund(1))).toBe('INVALID_STATE');
    expect(await code(() => refund())).toBe('INVALID_STATE');
    expect(affirmRefunds).toEqual([]);
  });

  it('refuses a refund of an order that was never authorized, without asking Affirm', async () => {
    const { refund, affirmRefunds } = setup({ authorization: undefined });
    expect(await code(() => refund(1))).toBe('INVALID_STATE');
    expect(affirmRefunds).toEqual([]);
  });
});
