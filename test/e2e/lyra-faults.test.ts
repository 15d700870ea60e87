/**
 * Flow C under an unlucky network: Lyra unavailable before it applied a shipment's debit, and Lyra
 * applying it but the answer never arriving. The amount is reserved before the call and released
 * only when Lyra definitely did nothing; an unknown outcome is resolved by reading Lyra, never by
 * sending the debit again. Last, the authorization's 180 days: no shipment after, and no call.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LYRA_QUIET_MS } from '#shared/providers/lyra/connector.ts';
import { authorizedLyraOrder, lyraSim, order, shipment } from '../support/lyra-stack.ts';
import { advanceClocks, http, stack } from '../support/stack.ts';

const SHIPMENT_PATH = 'POST /api-payment/V4/Charge/CreateShipmentTransaction';

afterEach(async () => {
  await lyraSim.clearFaults();
});

const debitCalls = async (orderId: string) =>
  (
    await lyraSim.callsFor(
      'Charge/CreateShipmentTransaction',
      (await order(orderId)).lyra.initialTransactionUuid ?? '',
    )
  ).length;

/** The simulator's debits of the order (Order/Get), whatever the hub believes. */
async function simulatorDebits(orderId: string): Promise<number[]> {
  const response = await fetch(`${lyraSim.url()}/api-payment/V4/Order/Get`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from('69876357:testpassword_SIM').toString('base64')}`,
    },
    body: JSON.stringify({ orderId, operationType: 'DEBIT' }),
  });
  const { answer } = (await response.json()) as {
    answer: { transactions: { operationType: string; amount: number; status: string }[] };
  };
  return answer.transactions
    .filter((t) => t.operationType === 'DEBIT' && t.status === 'PAID')
    .map((t) => t.amount);
}

const reconcile = (orderIds: string[]) =>
  http<{ operationsSettled: number; failed: number }>(`${stack().hubUrl}/__local/reconcile`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderIds }),
  });

describe('flow C: Lyra unavailable before it applied the debit', () => {
  it('answers 502, keeps the amount reserved while Lyra might still apply it, and the retry then debits once', async () => {
    const { orderId } = await authorizedLyraOrder(6000);
    await lyraSim.fault({ match: SHIPMENT_PATH, mode: 'status', status: 503 });
    const failed = await shipment(orderId, 'parcel-503', 2000);
    expect(failed.status).toBe(502);
    expect(failed.body.code).toBe('PROVIDER_UNAVAILABLE');
    // A 503 from Lyra proves neither that the debit was not made nor that it will not be.
    expect(await simulatorDebits(orderId)).toEqual([]);
    const greedy = await shipment(orderId, 'parcel-greedy', 4001);
    expect(greedy.status).toBe(409);
    expect(greedy.body.code).toBe('AMOUNT_EXCEEDS_REMAINING');
    const early = await shipment(orderId, 'parcel-503', 2000);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('OPERATION_IN_PROGRESS');
    expect(await debitCalls(orderId)).toBe(1);
    // Once Lyra can no longer apply it, no trace means it never landed: the retry sends it.
    await advanceClocks(LYRA_QUIET_MS / 1000 + 60);
    expect((await order(orderId)).shipments.filter((s) => s.status === 'debited')).toEqual([]);
    const retried = await shipment(orderId, 'parcel-503', 2000);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ status: 'debited', amount: 2000, remainingAmount: 4000 });
    expect(await simulatorDebits(orderId)).toEqual([2000]);
  });
});

describe('flow C: Lyra applied the debit, the answer was lost', () => {
  it('resolves the retry by reading Lyra, without a second debit', async () => {
    const { orderId } = await authorizedLyraOrder(6000);
    await lyraSim.fault({ match: SHIPMENT_PATH, mode: 'timeout', when: 'after' });
    const lost = await shipment(orderId, 'parcel-lost', 2500);
    expect(lost.status).toBe(502);
    expect(await simulatorDebits(orderId)).toEqual([2500]);
    // Meanwhile the amount stays reserved: nothing can take it twice.
    const greedy = await shipment(orderId, 'parcel-greedy', 3600);
    expect(greedy.status).toBe(409);
    expect(greedy.body.code).toBe('AMOUNT_EXCEEDS_REMAINING');

    const retried = await shipment(orderId, 'parcel-lost', 2500);
    expect([200, 201]).toContain(retried.status);
    expect(retried.body).toMatchObject({ status: 'debited', amount: 2500, remainingAmount: 3500 });
    expect(retried.body.transactionUuid).toMatch(/^[0-9a-f]{32}$/);
    expect(await debitCalls(orderId)).toBe(1);
    expect(await simulatorDebits(orderId)).toEqual([2500]);
    expect(await order(orderId)).toMatchObject({ capturedAmount: 2500 });
  });

  it('lets the reconciler settle it when nobody retries', async () => {
    const { orderId } = await authorizedLyraOrder(6000);
    await lyraSim.fault({ match: SHIPMENT_PATH, mode: 'timeout', when: 'after' });
    expect((await shipment(orderId, 'parcel-left', 1800)).status).toBe(502);
    // The reconciler looks at an unknown outcome after a grace period (the caller may retry first).
    await advanceClocks(3 * 60);
    const swept = await reconcile([orderId]);
    expect(swept.status).toBe(200);
    expect(swept.body.failed).toBe(0);
    const after = await order(orderId);
    expect(after).toMatchObject({ capturedAmount: 1800, remainingAmount: 4200 });
    expect(after.shipments.map((s) => [s.shipmentId, s.status])).toEqual([['parcel-left', 'debited']]);
    expect(await debitCalls(orderId)).toBe(1);
    // The caller's retry now answers what was done.
    const retried = await shipment(orderId, 'parcel-left', 1800);
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('debited');
    expect(await debitCalls(orderId)).toBe(1);
  });

  it('answers a retry with the same Idempotency-Key without a second debit', async () => {
    const { orderId } = await authorizedLyraOrder(6000);
    await lyraSim.fault({ match: SHIPMENT_PATH, mode: 'timeout', when: 'after' });
    expect((await shipment(orderId, 'parcel-key', 1000, 'key-parcel-key')).status).toBe(502);
    const retried = await shipment(orderId, 'parcel-key', 1000, 'key-parcel-key');
    expect(retried.status).toBe(201);
    expect(retried.body.status).toBe('debited');
    const replayed = await shipment(orderId, 'parcel-key', 1000, 'key-parcel-key');
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(retried.body);
    expect(await simulatorDebits(orderId)).toEqual([1000]);
  });
});

// Last in the file: the clocks only move forward, for the whole stack suite.
describe('flow C: the authorization lasts 180 days', () => {
  it('refuses a shipment 181 days later with 410, without calling Lyra', async () => {
    const { orderId } = await authorizedLyraOrder(3000);
    expect((await shipment(orderId, 'day-0', 1000)).status).toBe(201);
    await advanceClocks(181 * 86_400);
    const late = await shipment(orderId, 'day-181', 1000);
    expect(late.status).toBe(410);
    expect(late.body.code).toBe('AUTHORIZATION_EXPIRED');
    expect(await debitCalls(orderId)).toBe(1);
    // What was shipped stays debited; nothing more can be.
    expect(await order(orderId)).toMatchObject({
      capturedAmount: 1000,
      remainingAmount: 0,
      status: 'partially_captured',
    });
  });
});
