/**
 * The provider-neutral saga (shared/domain/operations.ts) with a fake connector: a provider
 * ledger whose answers each test scripts. No network; the in-memory order store has the data
 * layer's contract (atomic reservations, conditional steps).
 */

import { describe, expect, it } from 'vitest';
import type { Caller } from '#shared/domain/caller.ts';
import { expectedBalances } from '#shared/domain/operation-money.ts';
import {
  type Decide,
  type OperationOutcome,
  performOperation,
  type SagaDeps,
} from '#shared/domain/operations.ts';
import type { Operation, OperationKind, Order } from '#shared/domain/order.ts';
import { loadVisibleOrder } from '#shared/domain/order-access.ts';
import { type PaymentConnector, ProviderRefusal } from '#shared/domain/ports.ts';
import { captureOrder, refundOrder, voidOrder } from '#shared/domain/transactions.ts';
import { HubError, ProviderUnavailableError, StateConflictError } from '#shared/errors.ts';
import { memoryOrders } from '../support/memory-orders.ts';
import { AUTHORIZED, affirmOrder } from '../support/orders.ts';

/**
 * ok: applied and answered; refuse: not applied, 4xx; lost: applied, answer lost; down: not
 * applied, no answer; slow: no answer, applied only when the test calls landLate().
 */
type Outcome = 'ok' | 'refuse' | 'lost' | 'down' | 'slow';

const caller: Caller = { keyId: 'key_1', role: 'location', location: 'Denver' };
const NOW = new Date('2026-01-02T00:00:00.000Z');

/** A provider that keeps a ledger of what it applied, by operation id. */
function fakeProvider(
  options: { exclusive?: OperationKind[]; script?: Outcome[]; delayMs?: () => number; quietMs?: number } = {},
) {
  const applied = new Map<string, Operation>();
  const late: Operation[] = [];
  const calls: string[] = [];
  const script = [...(options.script ?? [])];
  const pause = () => new Promise((resolve) => setTimeout(resolve, options.delayMs?.() ?? 0));
  const connector: PaymentConnector = {
    provider: 'affirm',
    // Capture-shaped (Affirm's): refunds follow the captured amount, not shipments. The debit
    // tests call the saga directly, as create-shipment does.
    capabilities: {
      capture: 'full',
      debit: false,
      // With quietMs, a provider without idempotency keys (Lyra's policy); else Affirm's.
      unknownOutcome: options.quietMs ? { quietMs: options.quietMs } : { resend: 'idempotent' },
    },
    exclusiveKinds: new Set(options.exclusive ?? []),
    async execute(_order, operation) {
      calls.push(operation.operationId);
      await pause();
      const outcome = script.shift() ?? 'ok';
      if (outcome === 'down') throw new ProviderUnavailableError('down');
      if (outcome === 'slow') {
        late.push(operation);
        throw new ProviderUnavailableError('slow');
      }
      if (outcome === 'refuse') throw new ProviderRefusal('declined', 'refused', 'refused by script');
      if (!applied.has(operation.operationId)) applied.set(operation.operationId, operation);
      if (outcome === 'lost') throw new ProviderUnavailableError('lost');
      return { providerRef: `ref-${operation.operationId}` };
    },
    async findLanded(_order, operation) {
      return applied.has(operation.operationId) ? { providerRef: `ref-${operation.operationId}` } : undefined;
    },
  };
  const total = (kind: OperationKind) =>
    [...applied.values()].filter((op) => op.kind === kind).reduce((sum, op) => sum + op.amount, 0);
  /** The provider applies the requests it was slow with (each once, like a replay-safe key). */
  const landLate = () => {
    for (const operation of late.splice(0))
      if (!applied.has(operation.operationId)) applied.set(operation.operationId, operation);
  };
  return { connector, applied, calls, total, landLate };
}

function setup(order: Order, provider: ReturnType<typeof fakeProvider>) {
  const orders = memoryOrders();
  orders.stored.set(order.orderId, order);
  const deps: SagaDeps = { orders, connectors: () => provider.connector };
  const stored = () => orders.stored.get(order.orderId) as Order;
  return { deps, stored };
}

/** A debit of one shipment: the operation the Lyra issue's create-shipment will run. */
function debit(
  deps: SagaDeps,
  shipmentId: string,
  amount: number,
  requestKey?: string,
): Promise<OperationOutcome> {
  const decide: Decide = (order) => {
    if (amount > order.capturableAmount)
      throw new StateConflictError('AMOUNT_EXCEEDS_REMAINING', `Only ${order.capturableAmount} remains.`);
    return { kind: 'debit', amount, shipmentId };
  };
  return performOperation(
    deps,
    {
      orderId: 'order-1',
      kind: 'debit',
      ...(requestKey ? { requestKey } : {}),
      load: () => loadVisibleOrder(deps.orders, 'order-1', caller),
    },
    decide,
    NOW,
  );
}

async function codeOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return 'ok';
  } catch (error) {
    return error instanceof HubError ? error.code : String(error);
  }
}

const authorized = (amount = 10_000) => affirmOrder({ authorization: { ...AUTHORIZED, amount } });
const captured = () => affirmOrder({ authorization: AUTHORIZED, capturedAmount: 10_000 });

/** Balances always equal what the totals say, and nothing is left reserved once nothing is in flight. */
function expectBalanced(order: Order): void {
  expect({ capturable: order.capturableAmount, refundable: order.refundableAmount }).toEqual({
    capturable: expectedBalances(order).capturableAmount,
    refundable: expectedBalances(order).refundableAmount,
  });
  if (order.inFlight === 0) expect([order.reservedAmount, order.refundReservedAmount]).toEqual([0, 0]);
}

describe('the neutral saga', () => {
  it('captures, refunds, voids and debits, each moving money once and recording it', async () => {
    const capture = fakeProvider();
    const a = setup(authorized(), capture);
    const captureOutcome = await captureOrder(a.deps, { orderId: 'order-1', caller }, NOW);
    expect(captureOutcome.order).toMatchObject({ capturedAmount: 10_000, refundableAmount: 10_000 });
    const refund = await refundOrder(a.deps, { orderId: 'order-1', caller, amount: 2_500 }, NOW);
    expect(refund.order.refundedAmount).toBe(2_500);
    expect(refund.operation).toMatchObject({ kind: 'refund', state: 'succeeded' });
    expect([capture.total('capture'), capture.total('refund')]).toEqual([10_000, 2_500]);
    expectBalanced(a.stored());

    const voiding = fakeProvider();
    const b = setup(authorized(), voiding);
    const voided = await voidOrder(b.deps, { orderId: 'order-1', caller }, NOW);
    expect(voided.order.voidedAt).toBeDefined();
    expect(b.stored()).toMatchObject({ capturableAmount: 0, reservedAmount: 0, inFlight: 0 });
    expect(await codeOf(captureOrder(b.deps, { orderId: 'order-1', caller }, NOW))).toBe('INVALID_STATE');

    const debits = fakeProvider();
    const c = setup(authorized(), debits);
    const shipped = await debit(c.deps, 'sh-1', 3_500);
    expect(shipped.order).toMatchObject({ capturedAmount: 3_500, capturableAmount: 6_500 });
    expect(c.stored().shipments).toEqual([
      expect.objectContaining({
        shipmentId: 'sh-1',
        amount: 3_500,
        status: 'debited',
        providerRef: `ref-${shipped.operation?.operationId}`,
      }),
    ]);
    expectBalanced(c.stored());
  });

  it('settles an unknown outcome by reading the provider: recorded if it landed, abandoned if not', async () => {
    // Prepare: a refund applied whose answer is lost (refunds run one at a time here, as at Affirm).
    const provider = fakeProvider({ exclusive: ['refund'], script: ['lost'] });
    const { deps, stored } = setup(captured(), provider);
    expect(await codeOf(refundOrder(deps, { orderId: 'order-1', caller, amount: 1_000 }, NOW))).toBe(
      'PROVIDER_UNAVAILABLE',
    );
    expect(stored()).toMatchObject({ refundedAmount: 0, refundReservedAmount: 1_000, inFlight: 1 });

    // Act: another request comes; the provider is read, never called again for the lost refund.
    const next = await refundOrder(deps, { orderId: 'order-1', caller, amount: 500 }, NOW);

    // Assess
    expect(next.order.refundedAmount).toBe(1_500);
    expect(provider.calls).toHaveLength(2);
    expectBalanced(stored());

    // A debit that never reached the provider keeps its reservation (debits run concurrently, so
    // another debit does not wait for it) until its own retry finds no trace of it and sends it.
    const down = fakeProvider({ script: ['down'] });
    const other = setup(authorized(), down);
    expect(await codeOf(debit(other.deps, 'sh-1', 4_000, 'key-1'))).toBe('PROVIDER_UNAVAILABLE');
    const beside = await debit(other.deps, 'sh-2', 1_000);
    expect(beside.order).toMatchObject({
      capturedAmount: 1_000,
      capturableAmount: 5_000,
      reservedAmount: 4_000,
    });
    const retried = await debit(other.deps, 'sh-1', 4_000, 'key-1');
    expect(retried.operation).toMatchObject({ shipmentId: 'sh-1', state: 'succeeded' });
    expect(other.stored()).toMatchObject({
      capturedAmount: 5_000,
      capturableAmount: 5_000,
      reservedAmount: 0,
    });
    expect(down.calls.filter((id) => id === retried.operation?.operationId)).toHaveLength(2);
    expect(down.total('debit')).toBe(5_000);
  });

  it('releases the reservation when the provider refuses', async () => {
    const provider = fakeProvider({ script: ['refuse'] });
    const { deps, stored } = setup(authorized(), provider);
    expect(await codeOf(debit(deps, 'sh-1', 4_000))).toBe('AUTHORIZATION_DECLINED');
    expect(stored()).toMatchObject({
      capturedAmount: 0,
      capturableAmount: 10_000,
      reservedAmount: 0,
      inFlight: 0,
    });
    expect(stored().operations[0]).toMatchObject({ state: 'failed', failure: 'refused' });
  });

  it('lets only one of two writers racing on one order move money where the balance allows one', async () => {
    // Concurrent kinds: the second is refused on its merits once the first holds the amount.
    for (const [exclusive, loser] of [
      [[], 'AMOUNT_EXCEEDS_CAPTURED'],
      [['refund'], 'OPERATION_IN_PROGRESS'],
    ] as const) {
      const provider = fakeProvider({ exclusive: [...exclusive], delayMs: () => 5 });
      const { deps, stored } = setup(captured(), provider);
      const refund = () => codeOf(refundOrder(deps, { orderId: 'order-1', caller, amount: 7_000 }, NOW));
      const codes = (await Promise.all([refund(), refund()])).sort();
      expect(codes).toEqual([loser, 'ok'].sort());
      expect(provider.total('refund')).toBe(7_000);
      expect(stored().refundedAmount).toBe(7_000);
      expectBalanced(stored());
    }
  });

  it('debits exactly ten of twenty concurrent 10.00 shipments on 100.00, refusing the rest on their merits', async () => {
    // Prepare: debits run concurrently (not exclusive), each provider call takes a little while.
    const provider = fakeProvider({ delayMs: () => Math.random() * 10 });
    const { deps, stored } = setup(authorized(10_000), provider);

    // Act
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => codeOf(debit(deps, `sh-${i}`, 1_000, `key-${i}`))),
    );

    // Assess: ten debited, ten over the remaining amount, none turned away for being in flight.
    expect(codes.filter((c) => c === 'ok')).toHaveLength(10);
    expect(codes.filter((c) => c === 'AMOUNT_EXCEEDS_REMAINING')).toHaveLength(10);
    expect(provider.total('debit')).toBe(10_000);
    expect(stored()).toMatchObject({
      capturedAmount: 10_000,
      capturableAmount: 0,
      reservedAmount: 0,
      inFlight: 0,
    });
    expect(stored().shipments).toHaveLength(10);
  });

  it('runs an exclusive kind alone: it waits for nothing in flight to finish only by settling it', async () => {
    // A refund in flight (lease held) blocks an exclusive capture-style operation: retryable, nothing sent.
    const provider = fakeProvider({ exclusive: ['refund', 'void'] });
    const order = captured();
    const running: Operation = {
      kind: 'refund',
      operationId: 'rf_x',
      amount: 1_000,
      startedAt: NOW.toISOString(),
      state: 'running',
      owner: 'someone',
      leaseUntil: '2026-01-02T00:01:00.000Z',
    };
    const { deps } = setup(
      {
        ...order,
        operations: [running],
        inFlight: 1,
        exclusiveOperationId: 'rf_x',
        refundReservedAmount: 1_000,
        refundableAmount: 9_000,
      },
      provider,
    );
    expect(await codeOf(refundOrder(deps, { orderId: 'order-1', caller, amount: 500 }, NOW))).toBe(
      'OPERATION_IN_PROGRESS',
    );
    expect(provider.calls).toEqual([]);
  });
});

describe('a write whose answer was lost, which a provider without idempotency keys may still apply', () => {
  const QUIET_MS = 5 * 60_000;
  const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
  const refundWith = (deps: SagaDeps, key: string, amount: number, when: Date) =>
    refundOrder(deps, { orderId: 'order-1', caller, amount, requestKey: key }, when);

  it('stays unresolved with its money reserved while the provider may still apply it; found once it lands', async () => {
    // Found by a black-box test: a read right after the timeout found nothing, the refund was
    // dropped (or sent again by its retry), then the slow provider applied it: paid twice.
    const provider = fakeProvider({ exclusive: ['refund', 'void'], script: ['slow'], quietMs: QUIET_MS });
    const { deps, stored } = setup(captured(), provider);
    expect(await codeOf(refundWith(deps, 'r1', 3_000, NOW))).toBe('PROVIDER_UNAVAILABLE');

    // Within the quiet period: the retry and another refund wait; nothing is sent again.
    expect(await codeOf(refundWith(deps, 'r1', 3_000, at(1)))).toBe('OPERATION_IN_PROGRESS');
    expect(await codeOf(refundWith(deps, 'r2', 2_000, at(2)))).toBe('OPERATION_IN_PROGRESS');
    expect(await codeOf(voidOrder(deps, { orderId: 'order-1', caller }, at(3)))).toBe(
      'OPERATION_IN_PROGRESS',
    );
    expect(provider.calls).toHaveLength(1);
    expect(stored().operations.map((op) => op.state)).toEqual(['unresolved']);
    expect(stored().refundReservedAmount).toBe(3_000);

    // The provider applies it late; the next request finds it and records it, once.
    provider.landLate();
    expect(await codeOf(refundWith(deps, 'r2', 2_000, at(4)))).toBe('ok');
    const retried = await refundWith(deps, 'r1', 3_000, at(4));
    expect(retried.operation?.state).toBe('succeeded');
    expect(provider.total('refund')).toBe(5_000);
    expect(stored().refundedAmount).toBe(5_000);
    expect(provider.calls).toHaveLength(2);
    expectBalanced(stored());
  });

  it('reads again before its own retry sends a dropped write again: it may have landed even later', async () => {
    const provider = fakeProvider({ exclusive: ['refund', 'void'], script: ['slow'], quietMs: QUIET_MS });
    const { deps, stored } = setup(captured(), provider);
    expect(await codeOf(refundWith(deps, 'r1', 3_000, NOW))).toBe('PROVIDER_UNAVAILABLE');
    expect(await codeOf(refundWith(deps, 'r2', 1_000, at(6)))).toBe('ok');
    expect(stored().operations.find((op) => op.requestKey === 'r1')?.state).toBe('failed');
    provider.landLate();
    const retried = await refundWith(deps, 'r1', 3_000, at(60));
    expect(retried.operation?.state).toBe('succeeded');
    expect(provider.calls).toHaveLength(2);
    expect(provider.total('refund')).toBe(4_000);
    expect(stored().refundedAmount).toBe(4_000);
    expectBalanced(stored());
  });

  it('counts "no trace" only after the quiet period: then another request drops it, or its own retry sends it again', async () => {
    for (const who of ['another', 'own'] as const) {
      const provider = fakeProvider({ exclusive: ['refund', 'void'], script: ['slow'], quietMs: QUIET_MS });
      const { deps, stored } = setup(captured(), provider);
      expect(await codeOf(refundWith(deps, 'r1', 3_000, NOW))).toBe('PROVIDER_UNAVAILABLE');
      expect(await codeOf(refundWith(deps, who === 'own' ? 'r1' : 'r2', 3_000, at(4)))).toBe(
        'OPERATION_IN_PROGRESS',
      );
      expect(await codeOf(refundWith(deps, who === 'own' ? 'r1' : 'r2', 3_000, at(6)))).toBe('ok');
      const r1 = stored().operations.find((op) => op.requestKey === 'r1');
      expect(r1?.state).toBe(who === 'own' ? 'succeeded' : 'failed');
      expect(provider.total('refund')).toBe(3_000);
      expect(stored().refundedAmount).toBe(3_000);
      expectBalanced(stored());
    }
  });
});
