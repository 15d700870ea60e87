/**
 * Flow C (SPEC.md; seed 003): Lyra payment on shipment end to end, through the local gateway, the
 * Lyra simulator (which takes the card and sends the signed IPN) and DynamoDB Local. One
 * authorization for the whole order, then one debit per shipment, never more than authorized.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { hub } from '../support/hub.ts';
import { uniqueId } from '../support/ids.ts';
import {
  authorizedLyraOrder,
  createLyraPayment,
  LYRA_KEYS,
  lyraSim,
  order,
  REFUSED_CARD,
  shipment,
} from '../support/lyra-stack.ts';

afterEach(async () => {
  await lyraSim.clearFaults();
});

/** Every debit the simulator holds for the order, from its initial transaction `uuid`, in minor units (Order/Get). */
async function simulatorDebitTotal(orderId: string, uuid: string): Promise<number> {
  const response = await fetch(`${lyraSim.url()}/api-payment/V4/Order/Get`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${LYRA_KEYS.shopId}:${LYRA_KEYS.restPassword}`).toString('base64')}`,
    },
    body: JSON.stringify({ orderId }),
  });
  const { answer } = (await response.json()) as {
    answer: {
      transactions: {
        operationType: string;
        amount: number;
        status: string;
        transactionDetails: { parentTransactionUuid: string | null };
      }[];
    };
  };
  const debits = answer.transactions.filter(
    (t) =>
      t.operationType === 'DEBIT' &&
      t.status === 'PAID' &&
      t.transactionDetails.parentTransactionUuid === uuid,
  );
  expect(debits.length).toBeGreaterThan(0);
  return debits.reduce((sum, t) => sum + t.amount, 0);
}

describe('flow C: the seed example', () => {
  it('authorizes 74.12 EUR, debits 35.00, 25.00 and 14.12, and refuses a fourth shipment', async () => {
    const created = await createLyraPayment({ amount: 7412 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      provider: 'lyra',
      status: 'awaiting_payment',
      amount: 7412,
      currency: 'EUR',
      lyra: { state: 'awaiting_payment', publicKey: '69876357:testpublickey_SIM' },
    });
    expect(created.body.lyra.formToken).toEqual(expect.any(String));
    expect(created.body.lyra.scriptUrl).toBe(
      `${lyraSim.url()}/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js`,
    );
    expect(created.body.lyra.payUrl).toMatch(new RegExp(`^${hub.url()}/v1/lyra/pay/[A-Za-z0-9_-]{24}$`));
    const { orderId } = created.body;
    const [createCall] = (await lyraSim.requests()).filter(
      (r) => r.path === '/api-payment/V4/Charge/CreatePayment' && r.body?.orderId === orderId,
    );
    expect(createCall?.body).toMatchObject({
      amount: 7412,
      currency: 'EUR',
      useCase: 'SHIPMENT_MULTIPLE_AUTHORISATION',
      ipnTargetUrl: `${hub.url()}/v1/lyra/ipn`,
    });

    await lyraSim.pay(created.body.lyra.formToken ?? '', '4970100000000055');
    const authorized = await order(orderId);
    expect(authorized).toMatchObject({ status: 'authorized', authorizedAmount: 7412, capturedAmount: 0 });
    const uuid = authorized.lyra.initialTransactionUuid ?? '';
    expect(uuid).toMatch(/^[0-9a-f]{32}$/);

    const answers = [];
    for (const [id, amount] of [
      ['parcel-1', 3500],
      ['parcel-2', 2500],
      ['parcel-3', 1412],
    ] as const) {
      answers.push(await shipment(orderId, id, amount));
    }
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(answers.map((a) => [a.body.status, a.body.remainingAmount, a.body.guaranteed])).toEqual([
      ['debited', 3912, true],
      ['debited', 1412, true],
      ['debited', 0, true],
    ]);
    expect(new Set(answers.map((a) => a.body.transactionUuid)).size).toBe(3);

    const fourth = await shipment(orderId, 'parcel-4', 1);
    expect(fourth.status).toBe(409);
    expect(fourth.body.code).toBe('AMOUNT_EXCEEDS_REMAINING');

    const view = await order(orderId);
    expect(view).toMatchObject({ status: 'captured', capturedAmount: 7412, remainingAmount: 0 });
    expect(view.shipments.map((s) => [s.shipmentId, s.amount, s.status])).toEqual([
      ['parcel-1', 3500, 'debited'],
      ['parcel-2', 2500, 'debited'],
      ['parcel-3', 1412, 'debited'],
    ]);
    expect(await simulatorDebitTotal(orderId, uuid)).toBe(7412);
  });

  it('answers the same shipment again with 200 and the same body, and another amount with 409 SHIPMENT_CONFLICT', async () => {
    const { orderId } = await authorizedLyraOrder(5000);
    const first = await shipment(orderId, 'box-a', 2000);
    const again = await shipment(orderId, 'box-a', 2000);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
    const other = await shipment(orderId, 'box-a', 2500);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('SHIPMENT_CONFLICT');
    const uuid = (await order(orderId)).lyra.initialTransactionUuid ?? '';
    expect(await lyraSim.callsFor('Charge/CreateShipmentTransaction', uuid)).toHaveLength(1);
  });
});

describe('flow C: concurrent shipments never exceed the authorization', () => {
  it('debits exactly ten of twenty concurrent 10.00 shipments on 100.00', async () => {
    const { orderId, view } = await authorizedLyraOrder(10_000);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => shipment(orderId, `concurrent-${i}`, 1000)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.code)).toEqual(
      Array(10).fill('AMOUNT_EXCEEDS_REMAINING'),
    );
    const after = await order(orderId);
    expect(after).toMatchObject({ capturedAmount: 10_000, remainingAmount: 0 });
    expect(after.shipments.filter((s) => s.status === 'debited')).toHaveLength(10);
    expect(await simulatorDebitTotal(orderId, view.lyra.initialTransactionUuid ?? '')).toBe(10_000);
  });
});

describe('flow C: an order that cannot ship', () => {
  it('refuses a shipment before the shopper paid, and after the card was refused', async () => {
    const created = await createLyraPayment({ amount: 3000 });
    const early = await shipment(created.body.orderId, 'too-early', 1000);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('ORDER_NOT_AUTHORIZED');

    await lyraSim.pay(created.body.lyra.formToken ?? '', REFUSED_CARD);
    const refused = await order(created.body.orderId);
    expect(refused).toMatchObject({ status: 'declined', lyra: { state: 'refused' } });
    const late = await shipment(created.body.orderId, 'after-refusal', 1000);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('ORDER_NOT_AUTHORIZED');
    expect(
      (await lyraSim.requests()).some(
        (r) => r.body?.orderId === created.body.orderId && r.path.endsWith('CreateShipmentTransaction'),
      ),
    ).toBe(false);
  });

  it('does not find an Affirm order on the shipments route, nor an unknown order', async () => {
    const unknown = await shipment(uniqueId('nope'), 'p', 100);
    expect(unknown.status).toBe(404);
  });
});
