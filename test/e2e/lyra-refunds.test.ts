/**
 * Flow C after shipping: refunds are spread over the debited shipments (one CancelOrRefund per
 * shipment's DEBIT, oldest first), never more than was debited, at most once under retries; void
 * cancels the initial transaction when nothing shipped, and otherwise stops further shipments.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LYRA_QUIET_MS } from '#shared/providers/lyra/connector.ts';
import { hub } from '../support/hub.ts';
import { authorizedLyraOrder, lyraBooks, lyraSim, order, shipment } from '../support/lyra-stack.ts';
import { advanceClocks, http, stack } from '../support/stack.ts';

afterEach(async () => {
  await lyraSim.clearFaults();
  await lyraSim.writeAnswer('transaction');
});

/** Credits per debited shipment, by the shipment's DEBIT uuid. */
async function creditsByDebit(orderId: string): Promise<Record<string, number>> {
  const credits: Record<string, number> = {};
  for (const t of await lyraBooks(orderId)) {
    if (t.operationType !== 'CREDIT' || t.status !== 'PAID') continue;
    const parent = t.transactionDetails.parentTransactionUuid ?? '?';
    credits[parent] = (credits[parent] ?? 0) + t.amount;
  }
  return credits;
}

const refund = (orderId: string, body: Record<string, unknown>, idempotencyKey?: string) =>
  hub.post(`/v1/orders/${orderId}/refunds`, body, idempotencyKey ? { idempotencyKey } : {});

/** A caller that retries OPERATION_IN_PROGRESS (409 with Retry-After), as API.md asks. */
async function untilSettled(call: () => ReturnType<typeof refund>): ReturnType<typeof refund> {
  for (let attempt = 0; ; attempt++) {
    const answer = await call();
    if (answer.body.code !== 'OPERATION_IN_PROGRESS' || attempt >= 20) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The seed's order, shipped in full: 35.00, 25.00, 14.12; the shipments' DEBIT uuids. */
async function shippedSeedOrder() {
  const { orderId } = await authorizedLyraOrder(7412);
  const uuids: string[] = [];
  for (const [id, amount] of [
    ['parcel-1', 3500],
    ['parcel-2', 2500],
    ['parcel-3', 1412],
  ] as const) {
    const answer = await shipment(orderId, id, amount);
    expect(answer.status).toBe(201);
    uuids.push(answer.body.transactionUuid ?? '');
  }
  return { orderId, uuids };
}

describe('flow C: a debit whose transaction the hub could not learn when it was made', () => {
  it('is learnt from Lyra’s books at the next refund, then refunded from that transaction', async () => {
    // Lyra answers the debit without naming its transaction (a ResponseCodeAnswer, one documented
    // reading), and the read that should find it fails: the debit counts, its uuid is unknown.
    const { orderId } = await authorizedLyraOrder(6000);
    await lyraSim.writeAnswer('responseCode');
    await lyraSim.fault({ match: 'POST /api-payment/V4/Order/Get', mode: 'status', status: 503, times: 10 });
    const shipped = await shipment(orderId, 'parcel-unnamed', 2500);
    expect(shipped.status).toBe(201);
    expect(shipped.body).toMatchObject({ status: 'debited', amount: 2500 });
    expect(shipped.body.transactionUuid).toBeUndefined();
    await lyraSim.clearFaults();
    await lyraSim.writeAnswer('transaction');

    const refunded = await refund(orderId, { amount: 1000 });
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({ refundedAmount: 1000 });
    const debit = (await lyraBooks(orderId)).find((t) => t.operationType === 'DEBIT');
    expect(await creditsByDebit(orderId)).toEqual({ [debit?.uuid ?? '?']: 1000 });
    const view = await order(orderId);
    expect(view.shipments).toEqual([
      expect.objectContaining({
        shipmentId: 'parcel-unnamed',
        transactionUuid: debit?.uuid,
        refundedAmount: 1000,
      }),
    ]);
    expect(view.events.filter((e) => e.type === 'debit.provider_ref_learnt')).toHaveLength(1);
  });
});

describe('flow C: refunds spread over the debited shipments', () => {
  it('refunds 50.00 from the first two shipments, then the rest, then nothing more', async () => {
    const { orderId, uuids } = await shippedSeedOrder();
    const [first, second, third] = uuids as [string, string, string];

    const partial = await refund(orderId, { amount: 5000, reason: 'two parcels returned' });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({ refundedAmount: 5000, status: 'partially_refunded' });
    expect(await creditsByDebit(orderId)).toEqual({ [first]: 3500, [second]: 1500 });

    const rest = await refund(orderId, {});
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ refundedAmount: 7412, status: 'refunded' });
    expect(await creditsByDebit(orderId)).toEqual({ [first]: 3500, [second]: 2500, [third]: 1412 });

    const more = await refund(orderId, { amount: 1 });
    expect(more.status).toBe(409);
    expect(more.body.code).toBe('AMOUNT_EXCEEDS_CAPTURED');
    const view = await order(orderId);
    expect(view.shipments.map((s) => s.refundedAmount)).toEqual([3500, 2500, 1412]);
  });

  it('refunds once when the answer of a part is lost and the caller retries with its key', async () => {
    const { orderId, uuids } = await shippedSeedOrder();
    const [first, second] = uuids as [string, string];
    // The first part's answer is lost after Lyra applied it.
    await lyraSim.fault({
      match: 'POST /api-payment/V4/Transaction/CancelOrRefund',
      mode: 'timeout',
      when: 'after',
    });
    const lost = await refund(orderId, { amount: 4000 }, 'refund-lost-part');
    expect(lost.status).toBe(502);
    const retried = await refund(orderId, { amount: 4000 }, 'refund-lost-part');
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toMatchObject({ refundedAmount: 4000 });
    expect(await creditsByDebit(orderId)).toEqual({ [first]: 3500, [second]: 500 });
    const again = await refund(orderId, { amount: 4000 }, 'refund-lost-part');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await creditsByDebit(orderId)).toEqual({ [first]: 3500, [second]: 500 });
  });

  it('answers each of six concurrent refunds on its merits, each part aimed at room still left', async () => {
    // Found by a black-box attack: both once planned on the same shipment, and one got a 502.
    const { orderId, uuids } = await shippedSeedOrder();
    const [first, second] = uuids as [string, string];
    const all = await Promise.all(
      Array.from({ length: 6 }, () => untilSettled(() => refund(orderId, { amount: 1000 }))),
    );
    expect(all.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await creditsByDebit(orderId)).toEqual({ [first]: 3500, [second]: 2500 });
    const view = await order(orderId);
    expect(view.refundedAmount).toBe(6000);
    expect(view.pendingOperation).toBeUndefined();
  });

  it('re-plans a keyed refund retried after another refund took the room it first aimed at', async () => {
    const { orderId, uuids } = await shippedSeedOrder();
    const [first, second] = uuids as [string, string];
    // R1 never reaches Lyra; R2 (no key) then refunds 2000 from the first shipment.
    await lyraSim.fault({
      match: 'POST /api-payment/V4/Transaction/CancelOrRefund',
      mode: 'status',
      status: 503,
      times: 1,
    });
    expect((await refund(orderId, { amount: 3500 }, 'r1-replanned')).status).toBe(502);
    // R2 waits while Lyra might still apply R1, then finds no trace of it and drops it.
    expect((await refund(orderId, { amount: 2000 })).body.code).toBe('OPERATION_IN_PROGRESS');
    await advanceClocks(LYRA_QUIET_MS / 1000 + 60);
    expect((await refund(orderId, { amount: 2000 })).status).toBe(200);
    // R1's retry refunds its 3500 from the room left: 1500 of the first shipment, 2000 of the second.
    const retried = await refund(orderId, { amount: 3500 }, 'r1-replanned');
    expect(retried.status).toBe(200);
    expect(await creditsByDebit(orderId)).toEqual({ [first]: 3500, [second]: 2000 });
    expect((await order(orderId)).refundedAmount).toBe(5500);
  });

  it('answers a refund spread over shipments with the whole refund as its operation', async () => {
    const { orderId } = await shippedSeedOrder();
    const answer = await refund(orderId, { amount: 5000 });
    expect(answer.status).toBe(200);
    expect(answer.body.operation).toMatchObject({ kind: 'refund', amount: 5000, state: 'succeeded' });
    // Named by its first part (API additions): the 35.00 of the first shipment.
    const refunds = (await order(orderId)).refunds;
    expect(refunds.map((r) => r.amount)).toEqual(expect.arrayContaining([3500, 1500]));
    expect(answer.body.operation?.operationId).toBe(refunds.find((r) => r.amount === 3500)?.refundId);
  });

  it('refunds once when the hub’s clock is ahead of Lyra’s and a lost answer is retried', async () => {
    // Found by a black-box attack: a date window took the landed refund for a lost one.
    const { orderId, uuids } = await shippedSeedOrder();
    const [first] = uuids as [string];
    await http(`${stack().hubUrl}/__local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 90 }),
    });
    try {
      await lyraSim.fault({
        match: 'POST /api-payment/V4/Transaction/CancelOrRefund',
        mode: 'reset',
        when: 'after',
        times: 1,
      });
      expect((await refund(orderId, { amount: 2000 }, 'skewed-refund')).status).toBe(502);
      expect((await refund(orderId, { amount: 2000 }, 'skewed-refund')).status).toBe(200);
      expect(await creditsByDebit(orderId)).toEqual({ [first]: 2000 });
      expect((await order(orderId)).refundedAmount).toBe(2000);
    } finally {
      // Both clocks only move forward: bring Lyra's level with the hub's again.
      await http(`${lyraSim.url()}/__control/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceSeconds: 90 }),
      });
    }
  });

  it('refuses to refund before anything shipped, and to capture a payment on shipment', async () => {
    const { orderId } = await authorizedLyraOrder(3000);
    const early = await refund(orderId, { amount: 100 });
    expect(early.status).toBe(409);
    const capture = await hub.post(`/v1/orders/${orderId}/capture`, {});
    expect(capture.status).toBe(409);
    expect(capture.body.code).toBe('INVALID_STATE');
  });
});

describe('flow C: void', () => {
  it('cancels the initial transaction when nothing shipped; nothing can ship after', async () => {
    const { orderId, view } = await authorizedLyraOrder(3000);
    const voided = await hub.post(`/v1/orders/${orderId}/void`, {});
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ status: 'voided', remainingAmount: 0 });
    const initial = (await lyraBooks(orderId)).find((t) => t.uuid === view.lyra.initialTransactionUuid);
    expect(initial?.detailedStatus).toBe('CANCELLED');
    const late = await shipment(orderId, 'after-void', 1000);
    expect(late.status).toBe(409);
  });

  it('stops further shipments after some shipped, keeping what was debited', async () => {
    const { orderId } = await authorizedLyraOrder(6000);
    expect((await shipment(orderId, 'before-void', 2000)).status).toBe(201);
    const voided = await hub.post(`/v1/orders/${orderId}/void`, {});
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ capturedAmount: 2000, remainingAmount: 0 });
    const late = await shipment(orderId, 'after-void', 1000);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('INVALID_STATE');
    // The debited shipment can still be refunded.
    const refunded = await refund(orderId, {});
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({ refundedAmount: 2000 });
  });
});
