/**
 * A provider that applies a write after the hub gave up waiting for its answer (the simulators'
 * `delay` fault, longer than the stack's 1.5 s timeout): the read right after the timeout finds
 * nothing, and the write lands a moment later. Found by black-box tests with 15-20 s delays: the
 * hub dropped the write (money moved unrecorded) or sent it again (a second refund).
 *
 * Affirm dedupes a repeated Idempotency-Key: the hub sends the write again under its key, whoever
 * settles it, so the late original is a replay. Lyra has no key: the write stays unresolved
 * (its money reserved, refunds and voids of the order waiting) until LYRA_QUIET_MS after it was
 * sent; only then does "no trace" count.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LYRA_QUIET_MS } from '#shared/providers/lyra/connector.ts';
import { authorizedOrder, hub, type OrderView } from '../support/hub.ts';
import { authorizedLyraOrder, lyraBooks, lyraSim, order, shipment } from '../support/lyra-stack.ts';
import { advanceClocks, affirmSim, http, stack } from '../support/stack.ts';

/** Past the hub's timeout towards the providers on this stack (1.5 s). */
const LATE_MS = 2_500;
const landed = () => new Promise((resolve) => setTimeout(resolve, LATE_MS + 300));

afterEach(async () => {
  await lyraSim.clearFaults();
  await affirmSim.clearFaults();
});

const reconcile = (orderIds: string[]) =>
  http<{ operationsSettled: number }>(`${stack().hubUrl}/__local/reconcile`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderIds }),
  });

/** Lyra's books: what was debited and credited on the order. */
async function lyraTotals(orderId: string) {
  const paid = (await lyraBooks(orderId)).filter((t) => t.status === 'PAID');
  const sum = (type: string) =>
    paid.filter((t) => t.operationType === type).reduce((total, t) => total + t.amount, 0);
  return { debited: sum('DEBIT'), credited: sum('CREDIT') };
}

async function hubTotals(orderId: string) {
  const view = await order(orderId);
  return { debited: view.capturedAmount, credited: view.refundedAmount };
}

describe('Lyra applies a refund after the hub gave up on it', () => {
  const REFUND = 'POST /api-payment/V4/Transaction/CancelOrRefund';
  const refund = (orderId: string, amount: number, key?: string) =>
    hub.post(`/v1/orders/${orderId}/refunds`, { amount }, key ? { idempotencyKey: key } : {});

  async function shippedOrder() {
    const { orderId } = await authorizedLyraOrder(6000);
    expect((await shipment(orderId, 'parcel-1', 6000)).status).toBe(201);
    return orderId;
  }

  it('refunds once when the same request is retried at once with its key', async () => {
    const orderId = await shippedOrder();
    await lyraSim.fault({ match: REFUND, mode: 'delay', delayMs: LATE_MS });
    expect((await refund(orderId, 2000, 'late-r1')).status).toBe(502);
    const early = await refund(orderId, 2000, 'late-r1');
    expect(early.body.code).toBe('OPERATION_IN_PROGRESS');
    // It says when the outcome can be known: the quiet period's end, not "in a second".
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(LYRA_QUIET_MS / 1000 - 60);
    await landed();
    const retried = await refund(orderId, 2000, 'late-r1');
    expect(retried.status).toBe(200);
    expect(await lyraTotals(orderId)).toEqual({ debited: 6000, credited: 2000 });
    expect(await hubTotals(orderId)).toEqual({ debited: 6000, credited: 2000 });
  });

  it('makes another refund, or a void, wait rather than drop it', async () => {
    const orderId = await shippedOrder();
    await lyraSim.fault({ match: REFUND, mode: 'delay', delayMs: LATE_MS });
    expect((await refund(orderId, 2000, 'late-r2')).status).toBe(502);
    expect((await refund(orderId, 1000, 'late-other')).body.code).toBe('OPERATION_IN_PROGRESS');
    expect((await hub.post(`/v1/orders/${orderId}/void`, {})).body.code).toBe('OPERATION_IN_PROGRESS');
    await landed();
    expect((await refund(orderId, 1000, 'late-other')).status).toBe(200);
    expect(await lyraTotals(orderId)).toEqual({ debited: 6000, credited: 3000 });
    expect(await hubTotals(orderId)).toEqual({ debited: 6000, credited: 3000 });
  });
});

describe('Lyra applies a debit after the hub gave up on it', () => {
  const SHIPMENT = 'POST /api-payment/V4/Charge/CreateShipmentTransaction';

  it('is neither dropped by a void or a refund, nor by the reconciler, before Lyra can no longer apply it', async () => {
    const { orderId } = await authorizedLyraOrder(6000);
    expect((await shipment(orderId, 'parcel-1', 1000)).status).toBe(201);
    await lyraSim.fault({ match: SHIPMENT, mode: 'delay', delayMs: LATE_MS });
    expect((await shipment(orderId, 'parcel-late', 3500)).status).toBe(502);
    expect((await hub.post(`/v1/orders/${orderId}/void`, {})).body.code).toBe('OPERATION_IN_PROGRESS');
    expect((await hub.post(`/v1/orders/${orderId}/refunds`, {})).body.code).toBe('OPERATION_IN_PROGRESS');
    // Past the reconciler's grace, not past Lyra's quiet period: the reconciler leaves it.
    await advanceClocks(3 * 60);
    expect((await reconcile([orderId])).body.operationsSettled).toBe(0);
    expect((await order(orderId)).pendingOperation).toMatchObject({ kind: 'debit', amount: 3500 });
    await landed();
    expect((await reconcile([orderId])).body.operationsSettled).toBe(1);
    expect(await lyraTotals(orderId)).toEqual({ debited: 4500, credited: 0 });
    expect(await hubTotals(orderId)).toEqual({ debited: 4500, credited: 0 });
    // What nobody saw land within the quiet period never will: then it is dropped.
    await lyraSim.fault({ match: SHIPMENT, mode: 'status', status: 503 });
    expect((await shipment(orderId, 'parcel-lost', 500)).status).toBe(502);
    await advanceClocks(LYRA_QUIET_MS / 1000 + 60);
    expect((await reconcile([orderId])).body.operationsSettled).toBe(1);
    expect((await order(orderId)).pendingOperation).toBeUndefined();
    expect(await hubTotals(orderId)).toEqual(await lyraTotals(orderId));
  });
});

describe('Affirm applies a write after the hub gave up on it', () => {
  const refund = (o: OrderView, amount: number, key: string) =>
    hub.post(`/v1/orders/${o.orderId}/refunds`, { amount }, { idempotencyKey: key });
  const atAffirm = async (o: OrderView) => {
    const transaction = (await affirmSim.transaction(String(o.affirm.transactionId))).body;
    return {
      status: transaction.status,
      captured: transaction.status === 'authorized' ? 0 : transaction.amount,
      refunded: transaction.amount_refunded,
      refunds: (transaction.events ?? []).filter((e) => e.type === 'refund').length,
    };
  };

  it('records a refund Affirm applied late, once, when another refund comes meanwhile', async () => {
    const o = await authorizedOrder();
    expect((await hub.post(`/v1/orders/${o.orderId}/capture`, {})).status).toBe(200);
    await affirmSim.fault({
      match: 'POST /api/v1/transactions/{id}/refund',
      mode: 'delay',
      delayMs: LATE_MS,
    });
    expect((await refund(o, 20_000, 'late-d1')).status).toBe(502);
    const d2 = await refund(o, 30_000, 'late-d2');
    expect(d2.status).toBe(200);
    await landed();
    expect(await atAffirm(o)).toMatchObject({ refunded: 50_000, refunds: 2 });
    const view = (await hub.get<OrderView>(`/v1/orders/${o.orderId}`)).body;
    expect(view.refundedAmount).toBe(50_000);
    const retried = await refund(o, 20_000, 'late-d1');
    expect(retried.status).toBe(200);
    expect(await atAffirm(o)).toMatchObject({ refunded: 50_000, refunds: 2 });
  });

  it('records a capture Affirm applied late when the reconciler settles it', async () => {
    const o = await authorizedOrder();
    await affirmSim.fault({
      match: 'POST /api/v1/transactions/{id}/capture',
      mode: 'delay',
      delayMs: LATE_MS,
    });
    expect((await hub.post(`/v1/orders/${o.orderId}/capture`, {})).status).toBe(502);
    await advanceClocks(3 * 60);
    await reconcile([o.orderId]);
    await landed();
    const view = (await hub.get<OrderView>(`/v1/orders/${o.orderId}`)).body;
    expect(view).toMatchObject({ status: 'captured', capturedAmount: o.amount });
    expect(await atAffirm(o)).toMatchObject({ status: 'captured', captured: o.amount });
  });
});
