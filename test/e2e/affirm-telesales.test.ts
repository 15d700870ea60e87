/**
 * Flow B (SPEC.md; seed 001): Affirm telesales with webhooks, end to end through the local
 * gateway, the Affirm simulator (which signs and sends the webhooks) and DynamoDB Local. The
 * reconciler, which AWS runs from the table's stream and a schedule, is run here on demand
 * (`POST /__local/reconcile`), so every test decides when it runs.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { signAffirmWebhook } from '../../infra/local/simulators/affirm/webhook-signature.ts';
import { createCheckout, hub, type OrderView } from '../support/hub.ts';
import { advanceClocks, affirmSim, http, stack, waitForNotifications } from '../support/stack.ts';

const PRIVATE_KEY = 'sim_affirm_private';

afterEach(async () => {
  await affirmSim.clearFaults();
  await affirmSim.notificationMode({ mode: 'deliver' });
});

const telesales = () => createCheckout({ channel: 'telesales' });
const order = async (orderId: string) => (await hub.get(`/v1/orders/${orderId}`)).body;
const reconcile = (orderIds?: string[]) =>
  http<{ payments: Record<string, number>; operationsSettled: number; failed: number }>(
    `${stack().hubUrl}/__local/reconcile`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(orderIds ? { orderIds } : {}),
    },
  );
const authorizeCalls = async (checkoutId: string) =>
  (await affirmSim.requests()).filter(
    (r) =>
      r.path === '/api/v1/transactions' &&
      (r.body as { transaction_id?: string }).transaction_id === checkoutId,
  ).length;

/** The hub's clock (the simulator's moves with it in these tests): signatures must be fresh on it. */
async function hubNow(): Promise<Date> {
  const answer = await http<{ now: string }>(`${stack().hubUrl}/__local/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: 0 }),
  });
  return new Date(answer.body.now);
}

/** Posts a webhook to the hub as Affirm would: form body, X-Affirm-Signature (or the given headers). */
function postWebhook(body: string, signature: string | undefined, extra: RequestInit = {}) {
  return http<{ outcome?: string; code?: string }>(`${stack().hubUrl}/v1/affirm/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature ? { 'x-affirm-signature': signature } : {}),
    },
    body,
    ...extra,
  });
}

const eventBody = (checkoutId: string, event: string, at: Date) =>
  new URLSearchParams({
    checkout_token: checkoutId,
    event,
    event_timestamp: at.toISOString().replace('Z', ''),
    created: at.toISOString().replace('Z', ''),
  }).toString();

describe('flow B: the customer confirms; the hub authorizes a telesales checkout itself', () => {
  it('authorizes once after the signed webhook, through the reconciler the change triggers', async () => {
    const created = await telesales();
    await affirmSim.approve(created.affirm.checkoutId);
    const [confirmed] = (await waitForNotifications(created.affirm.checkoutId, 1)).filter(
      (n) => n.event === 'confirmed',
    );
    expect(confirmed?.deliveries.map((d) => d.status)).toEqual([200]);
    expect((await order(created.orderId)).status).toBe('confirmed');

    const swept = await reconcile([created.orderId]);
    expect(swept.body.payments).toEqual({ authorized: 1 });
    const authorized = await order(created.orderId);
    expect(authorized).toMatchObject({ status: 'authorized', authorizedAmount: created.amount });
    expect(authorized.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['checkout.sent', 'checkout.confirmed', 'authorization.succeeded']),
    );
    expect(await authorizeCalls(created.affirm.checkoutId)).toBe(1);
  });

  it('applies the same genuine event delivered five times at once exactly once, and authorizes once', async () => {
    // Prepare: the simulator's own delivery is dropped; its exact body and signature are replayed.
    const created = await telesales();
    await affirmSim.notificationMode({ mode: 'drop', times: 1 });
    await affirmSim.approve(created.affirm.checkoutId);
    const [sent] = await waitForNotifications(created.affirm.checkoutId, 1);
    if (!sent) throw new Error('no webhook recorded');

    // Act: five deliveries at once, then the reconciler, twice.
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => postWebhook(sent.body, sent.signature)),
    );
    await reconcile([created.orderId]);
    await reconcile([created.orderId]);

    // Assess: every delivery acknowledged, one applied, one authorize call at Affirm.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.body.outcome).sort()).toEqual([
      'applied',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    const after = await order(created.orderId);
    expect(after.status).toBe('authorized');
    expect(after.events.filter((e) => e.type === 'checkout.confirmed')).toHaveLength(1);
    expect(await authorizeCalls(created.affirm.checkoutId)).toBe(1);
  });

  it('refuses every webhook it cannot verify with 401, and changes nothing', async () => {
    const created = await telesales();
    const checkoutId = created.affirm.checkoutId;
    const now = await hubNow();
    const body = eventBody(checkoutId, 'not_approved', now);
    const genuine = signAffirmWebhook(PRIVATE_KEY, body, now);
    const attempts = [
      ['a wrong key', postWebhook(body, signAffirmWebhook('not-the-key', body, now))],
      ['an altered body', postWebhook(body.replace('not_approved', 'confirmed'), genuine)],
      ['no signature', postWebhook(body, undefined)],
      [
        'a 15-minute-old timestamp',
        postWebhook(body, signAffirmWebhook(PRIVATE_KEY, body, new Date(now.getTime() - 900_000))),
      ],
      [
        'a base64 body under a bad signature',
        http(`${stack().hubUrl}/v1/affirm/webhooks`, {
          method: 'POST',
          headers: {
            'content-type': 'application/octet-stream',
            'x-affirm-signature': signAffirmWebhook(PRIVATE_KEY, 'something else', now),
          },
          body: Buffer.from(body),
        }),
      ],
    ] as const;
    for (const [what, answer] of attempts) {
      const settled = await answer;
      expect(settled.status, what).toBe(401);
      expect((settled.body as { code?: string }).code, what).toBe('INVALID_SIGNATURE');
    }
    const after = await order(created.orderId);
    expect(after.status).toBe('sent');
    expect(after.events.map((e) => e.type)).toEqual(['checkout.sent']);

    // The genuine one is taken, and a malformed but genuinely signed body is a 400.
    expect((await postWebhook(body, genuine)).status).toBe(200);
    expect((await order(created.orderId)).status).toBe('declined');
    const malformed = 'event=confirmed';
    expect((await postWebhook(malformed, signAffirmWebhook(PRIVATE_KEY, malformed, now))).status).toBe(400);
  });

  it('never moves a checkout backwards on an older event arriving after a newer one', async () => {
    const created = await telesales();
    const checkoutId = created.affirm.checkoutId;
    const now = await hubNow();
    const newer = eventBody(checkoutId, 'confirmed', now);
    const older = eventBody(checkoutId, 'not_approved', new Date(now.getTime() - 60_000));
    expect((await postWebhook(newer, signAffirmWebhook(PRIVATE_KEY, newer, now))).body.outcome).toBe(
      'applied',
    );
    expect((await postWebhook(older, signAffirmWebhook(PRIVATE_KEY, older, now))).body.outcome).toBe(
      'logged',
    );
    const after = await order(created.orderId);
    expect(after.status).toBe('confirmed');
    expect(after.events.at(-1)).toMatchObject({
      type: 'checkout.not_approved',
      detail: { applied: 'older_than_last' },
    });
  });

  it('ends the webhook racing two manual authorizes with one authorization at Affirm and no 5xx', async () => {
    const created = await telesales();
    await affirmSim.approve(created.affirm.checkoutId);
    await waitForNotifications(created.affirm.checkoutId, 1);

    const path = `/v1/affirm/checkouts/${created.affirm.checkoutId}/authorize`;
    const [sweep, first, second] = await Promise.all([
      reconcile([created.orderId]),
      hub.post(path),
      hub.post(path),
    ]);

    expect(sweep.status).toBe(200);
    for (const answer of [first, second]) expect(answer.status).toBeLessThan(500);
    // A manual caller refused while another authorizes (409 OPERATION_IN_PROGRESS) retries and sees the same loan.
    const views: OrderView[] = [];
    for (const answer of [first, second]) {
      views.push(answer.status === 200 ? answer.body : (await hub.post(path)).body);
    }
    const loan = (await order(created.orderId)).affirm.transactionId;
    expect(loan).toBeDefined();
    expect(views.map((v) => v.affirm.transactionId)).toEqual([loan, loan]);
    // One authorization at Affirm: every authorize request the race sent carries the one
    // Idempotency-Key of this checkout's attempt (Affirm replays, it does not authorize again),
    // and the loan shows one `auth` event.
    const requests = (await affirmSim.requests()).filter(
      (r) =>
        r.path === '/api/v1/transactions' &&
        (r.body as { transaction_id?: string }).transaction_id === created.affirm.checkoutId,
    );
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(new Set(requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    const loanAtAffirm = await affirmSim.transaction(String(loan));
    expect(loanAtAffirm.body.events?.filter((e) => e.type === 'auth')).toHaveLength(1);
  });
});

describe('flow B when something is lost', () => {
  it('lets the manual authorize complete an order whose webhook was lost', async () => {
    const created = await telesales();
    await affirmSim.notificationMode({ mode: 'drop', times: 1 });
    await affirmSim.approve(created.affirm.checkoutId);
    expect((await order(created.orderId)).status).toBe('sent');
    const authorized = await hub.post(`/v1/affirm/checkouts/${created.affirm.checkoutId}/authorize`);
    expect(authorized.status).toBe(200);
    expect(authorized.body.status).toBe('authorized');
  });

  it('lets the reconciler alone complete it when nobody calls authorize', async () => {
    const created = await telesales();
    await affirmSim.notificationMode({ mode: 'drop', times: 1 });
    await affirmSim.approve(created.affirm.checkoutId);
    // The checkout is due a look once it has stayed sent a while.
    await advanceClocks(6 * 60);
    const swept = await reconcile();
    expect(swept.body.failed).toBe(0);
    expect((await order(created.orderId)).status).toBe('authorized');
    expect(await authorizeCalls(created.affirm.checkoutId)).toBe(1);
  });

  it('changes nothing on a forged browser confirmation, and tells the customer plainly', async () => {
    const created = await telesales();
    const forged = await http(`${stack().hubUrl}/v1/affirm/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ checkout_token: created.affirm.checkoutId }).toString(),
    });
    expect(forged.status).toBe(200);
    expect(forged.headers.get('content-type')).toContain('text/html');
    expect(forged.text).toContain('Affirm has not confirmed your financing yet');
    const after = await order(created.orderId);
    expect(after.status).toBe('sent');
    expect(after.events.map((e) => e.type)).toEqual(['checkout.sent']);

    const cancel = await http(`${stack().hubUrl}/v1/affirm/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.text).toContain('Nothing was charged');
  });
});
