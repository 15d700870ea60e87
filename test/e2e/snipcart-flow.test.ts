/**
 * Flow D over HTTP, against the stack: Snipcart's cart asks the hub for payment methods, the
 * shopper's browser opens the hub's checkout page (a Lyra payment on shipment for exactly the
 * session's amount), pays in Lyra's form; Snipcart is told once, by whichever comes first (the
 * signed browser return, or the reconciler after the IPN); refunds come from Snipcart's dashboard
 * through the order's secret link.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { hub } from '../support/hub.ts';
import { ACCEPTED_CARD, type LyraOrderView, lyraSim, REFUSED_CARD } from '../support/lyra-stack.ts';
import { checkoutPageUrl, reconcileOrders, snipcartSim } from '../support/snipcart-stack.ts';
import { advanceClocks, http, stack } from '../support/stack.ts';

afterEach(async () => {
  await lyraSim.notificationMode({ mode: 'deliver' });
  await snipcartSim.clearFaults();
});

const orderIdOf = (sessionId: string) => `snip-${sessionId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 59)}`;
const orderView = async (orderId: string) =>
  (await hub.get<LyraOrderView>(`/v1/orders/${orderId}`, { key: stack().keys.admin })).body;

/** The cart's checkout, then the shopper on the hub's checkout page: the session and its order. */
async function openCheckout() {
  const cart = await snipcartSim.checkout();
  expect(cart.paymentMethodsStatus).toBe(200);
  const [method] = cart.paymentMethods as { id: string; checkoutUrl: string }[];
  expect(method?.checkoutUrl).toMatch(new RegExp(`^${stack().hubUrl}/v1/snipcart/checkout`));
  const page = await http(checkoutPageUrl(method?.checkoutUrl ?? '', cart.publicToken));
  expect(page.status).toBe(200);
  const orderId = orderIdOf(cart.sessionId);
  const order = await orderView(orderId);
  // The form's token, as the page gives it to Lyra's script.
  const formToken = /kr-form-token="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { cart, page, orderId, order: { ...order, formToken } };
}

/** Lyra's form, paid: the simulator sends the IPN, then answers the browser-return fields. */
async function pay(order: { formToken: string }, card = ACCEPTED_CARD) {
  return lyraSim.pay(order.formToken, card);
}

const postReturn = (fields: Record<string, string>) =>
  http(`${stack().hubUrl}/v1/snipcart/return`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });

/** The merchant ships from the back office (an admin key: Snipcart's orders belong to location `snipcart`). */
const shipAsMerchant = (orderId: string, amount: number, shipmentId = 'parcel-1') =>
  hub.post(`/v1/orders/${orderId}/shipments`, { shipmentId, amount }, { key: stack().keys.admin });

const processed = async (sessionId: string) =>
  (await snipcartSim.session(sessionId)).payments.filter((p) => p.state === 'processed');

describe('flow D: the cart, the checkout page, the payment', () => {
  it('charges exactly the session’s 599.80 EUR: 59980 minor units, shown with the cart', async () => {
    const { page, order } = await openCheckout();
    expect(order).toMatchObject({ amount: 59980, currency: 'EUR', status: 'awaiting_payment' });
    expect(page.text).toContain('599.80');
    expect(page.text).toContain('Oak table');
    expect(page.text).toContain('kr-form-token');
  });

  it('confirms Snipcart once when the IPN comes first and the browser returns after', async () => {
    const { cart, orderId, order } = await openCheckout();
    const fields = await pay(order);
    expect((await orderView(orderId)).status).toBe('authorized');
    const back = await postReturn(fields);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${snipcartSim.url()}/store/order/${cart.sessionId}`);
    // The reconciler finds nothing more to say; a second return changes nothing.
    await reconcileOrders([orderId]);
    expect((await postReturn(fields)).status).toBe(303);
    const confirmations = await processed(cart.sessionId);
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]?.transactionId).toBe(orderId);
    const view = (
      await hub.get<Record<string, unknown>>(`/v1/orders/${orderId}`, { key: stack().keys.admin })
    ).body;
    expect(view.snipcart).toMatchObject({
      sessionId: cart.sessionId,
      confirmation: 'confirmed',
      attempts: 1,
    });
    expect(JSON.stringify(view)).not.toContain('secret');
    expect(confirmations[0]?.links?.refunds).toMatch(
      new RegExp(`^${stack().hubUrl}/v1/snipcart/refunds/${orderId}\\?secret=[A-Za-z0-9_-]{43}$`),
    );
  });

  it('confirms Snipcart once when the browser return comes before the IPN', async () => {
    await lyraSim.notificationMode({ mode: 'drop', times: 1 });
    const { cart, orderId, order } = await openCheckout();
    const fields = await pay(order);
    const back = await postReturn(fields);
    expect(back.status).toBe(303);
    expect((await orderView(orderId)).status).toBe('authorized');
    await reconcileOrders([orderId]);
    expect(await processed(cart.sessionId)).toHaveLength(1);
  });

  it('confirms Snipcart once through the reconciler when the tab was closed after paying', async () => {
    const { cart, orderId, order } = await openCheckout();
    await pay(order);
    expect(await processed(cart.sessionId)).toHaveLength(0);
    await reconcileOrders([orderId]);
    await reconcileOrders([orderId]);
    expect(await processed(cart.sessionId)).toHaveLength(1);
  });

  it('retries a confirmation Snipcart did not answer, until it is confirmed, and never twice', async () => {
    const { cart, orderId, order } = await openCheckout();
    await snipcartSim.fault({
      match: 'POST /api/private/custom-payment-gateway/payment',
      mode: 'status',
      status: 503,
      times: 1,
    });
    const fields = await pay(order);
    // The browser cannot be sent on yet: the page says the shop is being told.
    const back = await postReturn(fields);
    expect(back.status).toBe(200);
    // The reconciler waits for the backoff, then confirms.
    await reconcileOrders([orderId]);
    expect(await processed(cart.sessionId)).toHaveLength(0);
    await http(`${stack().hubUrl}/__local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 15 }),
    });
    await http(`${snipcartSim.url()}/__control/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 15 }),
    });
    await reconcileOrders([orderId]);
    await reconcileOrders([orderId]);
    expect(await processed(cart.sessionId)).toHaveLength(1);
  });

  it('shows the checkout again with the reason and a new form when the card is refused; another card then pays', async () => {
    const { cart, orderId, order } = await openCheckout();
    const fields = await pay(order, REFUSED_CARD);
    const back = await postReturn(fields);
    expect(back.status).toBe(200);
    expect(back.text).toContain('refused');
    expect((await orderView(orderId)).authorizedAmount).toBe(0);
    expect((await snipcartSim.session(cart.sessionId)).payments).toEqual([]);
    // Found by a black-box attack: Lyra closes a refused form, and the cart could never be paid.
    const renewed = /kr-form-token="([^"]+)"/.exec(back.text)?.[1] ?? '';
    expect(renewed).not.toBe('');
    expect(renewed).not.toBe(order.formToken);
    // Found by review: the reconciler read the closed form's refusal as the new form's verdict.
    await reconcileOrders([orderId]);
    expect((await orderView(orderId)).status).toBe('awaiting_payment');
    const paid = await postReturn(await pay({ formToken: renewed }));
    expect(paid.status).toBe(303);
    expect((await orderView(orderId)).status).toBe('authorized');
    expect(await processed(cart.sessionId)).toHaveLength(1);
  });

  it('answers every concurrent opening of one checkout with a page, and opens one payment', async () => {
    const cart = await snipcartSim.checkout();
    const [method] = cart.paymentMethods as { checkoutUrl: string }[];
    const url = checkoutPageUrl(method?.checkoutUrl ?? '', cart.publicToken);
    const pages = await Promise.all(Array.from({ length: 6 }, () => http(url)));
    for (const page of pages) expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const creates = (await lyraSim.requests()).filter(
      (r) => r.path.endsWith('/Charge/CreatePayment') && r.body?.orderId === orderIdOf(cart.sessionId),
    );
    expect(creates).toHaveLength(1);
  });

  it('keeps the storefront’s order ids for the storefront: a POS key cannot take one', async () => {
    const cart = await snipcartSim.checkout();
    const taken = await hub.post('/v1/lyra/payments', {
      orderId: orderIdOf(cart.sessionId),
      amount: 100,
      currency: 'EUR',
      customer: { email: 'x@example.com' },
    });
    expect(taken.status).toBe(400);
    expect(taken.body.errors?.map((e) => e.path)).toEqual(['orderId']);
  });
});

describe('flow D: forgeries', () => {
  it('offers no method, and shows no form, for a token Snipcart does not know', async () => {
    const methods = await hub.post(
      '/v1/snipcart/payment-methods',
      { publicToken: 'forged.token.value', mode: 'Test', invoice: {} },
      { key: '' },
    );
    expect(methods.status).toBe(401);
    expect(methods.body.code).toBe('INVALID_TOKEN');
    const page = await http(`${stack().hubUrl}/v1/snipcart/checkout?publicToken=forged.token.value`);
    expect(page.status).toBe(404);
    expect(page.text).not.toContain('kr-form-token');
  });

  it('redirects nowhere and confirms nothing on a browser return with a forged hash', async () => {
    const { cart, orderId, order } = await openCheckout();
    await lyraSim.notificationMode({ mode: 'drop', times: 1 });
    const fields = await pay(order);
    const forged = await postReturn({ ...fields, 'kr-hash': '0'.repeat(64) });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('location')).toBeNull();
    expect((await orderView(orderId)).authorizedAmount).toBe(0);
    expect((await snipcartSim.session(cart.sessionId)).payments).toEqual([]);
  });
});

describe('flow D: refunds from Snipcart’s dashboard', () => {
  async function paidAndConfirmed() {
    const opened = await openCheckout();
    const fields = await pay(opened.order);
    expect((await postReturn(fields)).status).toBe(303);
    return opened;
  }

  it('refuses a refund before anything shipped', async () => {
    const { cart } = await paidAndConfirmed();
    const refund = await snipcartSim.refund(cart.sessionId, 10.5);
    expect(refund.status).toBe(409);
    expect(refund.body.code).toBe('AMOUNT_EXCEEDS_CAPTURED');
  });

  it('refunds 10.50 once after a shipment, even when Snipcart calls twice; the same refundId', async () => {
    const { cart, orderId } = await paidAndConfirmed();
    expect((await shipAsMerchant(orderId, 20000)).status).toBe(201);
    const first = await snipcartSim.refund(cart.sessionId, 10.5);
    const second = await snipcartSim.refund(cart.sessionId, 10.5);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.refundId).toBe(first.body.refundId);
    const view = await orderView(orderId);
    expect(view.refundedAmount).toBe(1050);
    expect(view.refunds).toHaveLength(1);
    // Over what was debited: refused.
    const over = await snipcartSim.refund(cart.sessionId, 500);
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('AMOUNT_EXCEEDS_CAPTURED');
  });

  it('takes the same paymentId and amount after 10 minutes as a new refund', async () => {
    // Found by a black-box attack: the second refund answered the first one's id and paid nothing.
    const { cart, orderId } = await paidAndConfirmed();
    expect((await shipAsMerchant(orderId, 20000)).status).toBe(201);
    const first = await snipcartSim.refund(cart.sessionId, 10);
    expect(first.status).toBe(200);
    await advanceClocks(601);
    const later = await snipcartSim.refund(cart.sessionId, 10);
    expect(later.status).toBe(200);
    expect(later.body.refundId).not.toBe(first.body.refundId);
    expect((await orderView(orderId)).refundedAmount).toBe(2000);
  });

  it('finishes the refund it started when retried after a lost answer, even 15 minutes later', async () => {
    const { cart, orderId } = await paidAndConfirmed();
    expect((await shipAsMerchant(orderId, 20000)).status).toBe(201);
    await lyraSim.fault({
      match: 'POST /api-payment/V4/Transaction/CancelOrRefund',
      mode: 'reset',
      when: 'after',
      times: 1,
    });
    expect((await snipcartSim.refund(cart.sessionId, 10)).status).toBe(502);
    await advanceClocks(15 * 60);
    const retried = await snipcartSim.refund(cart.sessionId, 10);
    expect(retried.status).toBe(200);
    const view = await orderView(orderId);
    expect(view.refundedAmount).toBe(1000);
    expect(view.refunds).toHaveLength(1);
    await lyraSim.clearFaults();
  });

  it('finishes a refund spread over two shipments whose second part failed, even 11 minutes later', async () => {
    // The same paymentId and amount is the same refund until all of it is done, however late the
    // retry: taken as a new refund, it would refund the first shipment's part twice (or, with no
    // room left for the whole amount again, refuse the merchant's retry).
    const { cart, orderId } = await paidAndConfirmed();
    expect((await shipAsMerchant(orderId, 20000)).status).toBe(201);
    expect((await shipAsMerchant(orderId, 10000, 'parcel-2')).status).toBe(201);
    await lyraSim.fault({
      match: 'POST /api-payment/V4/Transaction/CancelOrRefund',
      // A definite refusal of the second part (an ERROR envelope Lyra's codes read as refused),
      // not an outage: the part is failed for good, only the request is unfinished.
      mode: 'status',
      status: 200,
      code: 'PSP_231',
      skip: 1,
    });
    expect((await snipcartSim.refund(cart.sessionId, 250)).status).toBe(502);
    expect((await orderView(orderId)).refundedAmount).toBe(20000);
    await advanceClocks(11 * 60);
    const retried = await snipcartSim.refund(cart.sessionId, 250);
    expect(retried.status).toBe(200);
    const view = await orderView(orderId);
    expect(view.refundedAmount).toBe(25000);
    expect(view.refunds.map((refund: { amount: number }) => refund.amount)).toEqual([20000, 5000]);
    await lyraSim.clearFaults();
  });

  it('carries out concurrent refunds of different amounts, each once', async () => {
    const { cart, orderId } = await paidAndConfirmed();
    expect((await shipAsMerchant(orderId, 20000)).status).toBe(201);
    const answers = await Promise.all([7, 8, 9].map((amount) => snipcartSim.refund(cart.sessionId, amount)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await orderView(orderId)).refundedAmount).toBe(2400);
  });

  it('answers 401 to a refund call without the order’s secret, and refunds nothing', async () => {
    const { orderId } = await paidAndConfirmed();
    expect((await shipAsMerchant(orderId, 20000)).status).toBe(201);
    for (const secret of ['', 'wrong', 'A'.repeat(43)]) {
      const call = () =>
        http(`${stack().hubUrl}/v1/snipcart/refunds/${orderId}?secret=${secret}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ paymentId: 'p-1', amount: 10.5 }),
        });
      expect((await call()).status).toBe(401);
      // Refused before anything is stored: the same call again is refused anew, not replayed.
      const again = await call();
      expect(again.status).toBe(401);
      expect(again.headers.get('idempotent-replayed')).toBeNull();
    }
    expect((await orderView(orderId)).refundedAmount).toBe(0);
  });
});
