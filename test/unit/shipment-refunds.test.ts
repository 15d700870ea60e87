/**
 * Refunds spread over shipments (shared/domain/shipment-refunds.ts) with a scripted provider: a
 * later part refused after an earlier one moved money leaves the request unfinished (retryable),
 * never refused, and its retry with the same key does only the rest.
 */

import { describe, expect, it } from 'vitest';
import type { Caller } from '#shared/domain/caller.ts';
import type { SagaDeps } from '#shared/domain/operations.ts';
import type { Operation, Order } from '#shared/domain/order.ts';
import { type PaymentConnector, ProviderRefusal } from '#shared/domain/ports.ts';
import { refundOrder } from '#shared/domain/transactions.ts';
import { HubError } from '#shared/errors.ts';
import { memoryOrders } from '../support/memory-orders.ts';
import { AUTHORIZED, affirmOrder } from '../support/orders.ts';

const caller: Caller = { keyId: 'key_1', role: 'admin' };
const NOW = new Date('2026-01-02T00:00:00.000Z');

/** A provider debited per shipment whose refunds answer as scripted ('ok' or 'refuse'). */
function shipmentProvider(script: ('ok' | 'refuse')[]) {
  const applied: Operation[] = [];
  const connector: PaymentConnector = {
    provider: 'affirm',
    capabilities: { capture: 'none', debit: true, unknownOutcome: { quietMs: 5 * 60_000 } },
    exclusiveKinds: new Set(['refund', 'void']),
    async execute(_order, operation) {
      if ((script.shift() ?? 'ok') === 'refuse')
        throw new ProviderRefusal('not_allowed', 'REFUSED', 'refused by script');
      applied.push(operation);
      return { providerRef: `credit-${applied.length}` };
    },
    async findLanded(_order, operation) {
      return applied.some((op) => op.operationId === operation.operationId)
        ? { providerRef: 'credit' }
        : undefined;
    },
  };
  return { connector, applied, total: () => applied.reduce((sum, op) => sum + op.amount, 0) };
}

/** Two shipments debited: 35.00 and 25.00. */
function shipped(): Order {
  return affirmOrder({
    authorization: { ...AUTHORIZED, amount: 7_412 },
    capturedAmount: 6_000,
    shipments: [
      { shipmentId: 'p1', amount: 3_500, createdAt: NOW.toISOString(), status: 'debited', providerRef: 'd1' },
      { shipmentId: 'p2', amount: 2_500, createdAt: NOW.toISOString(), status: 'debited', providerRef: 'd2' },
    ],
  });
}

async function codeOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return 'ok';
  } catch (error) {
    return error instanceof HubError
      ? `${error.code}${error.retryable ? ' (retryable)' : ''}`
      : String(error);
  }
}

describe('refunds spread over shipments', () => {
  it('answers a retryable error, not a refusal, when a later part is refused after an earlier one moved money', async () => {
    const provider = shipmentProvider(['ok', 'refuse']);
    const orders = memoryOrders();
    orders.stored.set('order-1', shipped());
    const deps: SagaDeps = { orders, connectors: () => provider.connector };
    const refund = () =>
      refundOrder(deps, { orderId: 'order-1', caller, amount: 5_000, requestKey: 'k' }, NOW);

    expect(await codeOf(refund())).toBe('PROVIDER_UNAVAILABLE (retryable)');
    expect(provider.total()).toBe(3_500);
    // The retry with the same key does only the rest.
    expect(await codeOf(refund())).toBe('ok');
    expect(provider.total()).toBe(5_000);
    expect(orders.stored.get('order-1')?.refundedAmount).toBe(5_000);
  });

  it('names the whole refund by its first part, whatever order the stored parts come in', async () => {
    // Parts begin in the same millisecond; a re-read order lists them in storage order.
    const provider = shipmentProvider([]);
    const orders = memoryOrders();
    orders.stored.set('order-1', shipped());
    const deps: SagaDeps = { orders, connectors: () => provider.connector };
    const first = await refundOrder(
      deps,
      { orderId: 'order-1', caller, amount: 5_000, requestKey: 'k' },
      NOW,
    );
    const stored = orders.stored.get('order-1') as Order;
    orders.stored.set('order-1', { ...stored, operations: [...stored.operations].reverse() });
    const retried = await refundOrder(
      deps,
      { orderId: 'order-1', caller, amount: 5_000, requestKey: 'k' },
      NOW,
    );
    expect(retried.operation?.operationId).toBe(first.operation?.operationId);
    expect(retried.operation?.operationId).toBe(
      stored.operations.find((op) => op.requestKey === 'k#0')?.operationId,
    );
    expect(provider.total()).toBe(5_000);
  });

  it('keeps a refusal of the first part a refusal: nothing moved', async () => {
    const provider = shipmentProvider(['refuse']);
    const orders = memoryOrders();
    orders.stored.set('order-1', shipped());
    const deps: SagaDeps = { orders, connectors: () => provider.connector };
    const code = await codeOf(
      refundOrder(deps, { orderId: 'order-1', caller, amount: 5_000, requestKey: 'k' }, NOW),
    );
    expect(code).not.toContain('retryable');
    expect(provider.total()).toBe(0);
  });

  it('refuses up front what the shipments cannot take (a debit whose transaction is unknown takes none)', async () => {
    const provider = shipmentProvider([]);
    const orders = memoryOrders();
    const order = shipped();
    orders.stored.set('order-1', {
      ...order,
      shipments: order.shipments.map((s) => (s.shipmentId === 'p2' ? { ...s, providerRef: 'unknown' } : s)),
    });
    const deps: SagaDeps = { orders, connectors: () => provider.connector };
    expect(await codeOf(refundOrder(deps, { orderId: 'order-1', caller, amount: 5_000 }, NOW))).toBe(
      'AMOUNT_EXCEEDS_CAPTURED',
    );
    expect(provider.applied).toEqual([]);
  });

  it('learns the transaction of a debit recorded as unknown when the provider names it, then refunds it', async () => {
    // Lyra said SUCCESS for p2's debit, but the read that should have named it failed.
    const order = shipped();
    const unlearnt = (): Order => ({
      ...order,
      operations: [
        {
          kind: 'debit',
          operationId: 'op-p2',
          amount: 2_500,
          shipmentId: 'p2',
          startedAt: NOW.toISOString(),
          state: 'succeeded',
          providerRef: 'unknown',
        },
      ],
      shipments: order.shipments.map((s) => (s.shipmentId === 'p2' ? { ...s, providerRef: 'unknown' } : s)),
    });
    const run = async (identify: PaymentConnector['identify']) => {
      const provider = shipmentProvider([]);
      const orders = memoryOrders();
      orders.stored.set('order-1', unlearnt());
      const deps: SagaDeps = { orders, connectors: () => ({ ...provider.connector, identify }) };
      const code = await codeOf(refundOrder(deps, { orderId: 'order-1', caller, amount: 5_000 }, NOW));
      return { code, provider, stored: orders.stored.get('order-1') };
    };

    const named = await run(async (_order, operation) =>
      operation.operationId === 'op-p2' ? 'd2' : undefined,
    );
    expect(named.code).toBe('ok');
    expect(named.provider.applied.map((op) => [op.targetRef, op.amount])).toEqual([
      ['d1', 3_500],
      ['d2', 1_500],
    ]);
    expect(named.stored?.shipments.find((s) => s.shipmentId === 'p2')?.providerRef).toBe('d2');
    expect(named.stored?.operations.find((op) => op.operationId === 'op-p2')?.providerRef).toBe('d2');
    expect(named.stored?.events.map((e) => e.type)).toContain('debit.provider_ref_learnt');

    // A provider that still cannot name it (or cannot be read) leaves it unknown: no room on it.
    for (const identify of [async () => undefined, async () => Promise.reject(new Error('unreadable'))]) {
      const unnamed = await run(identify);
      expect(unnamed.code).toBe('AMOUNT_EXCEEDS_CAPTURED');
      expect(unnamed.provider.applied).toEqual([]);
      expect(unnamed.stored?.shipments.find((s) => s.shipmentId === 'p2')?.providerRef).toBe('unknown');
    }
  });
});
