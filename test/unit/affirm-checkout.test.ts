/**
 * Opening and authorizing an Affirm store checkout (shared/domain/affirm/checkout.ts), against
 * the in-memory order store and a hand-written Affirm whose answers each test scripts. The fake
 * records every call, so a test can prove that Affirm was, or was not, asked.
 */

import { describe, expect, it } from 'vitest';
import { authorizeCheckout } from '#shared/domain/affirm/authorize.ts';
import {
  type AffirmDeps,
  type CheckoutSettings,
  type CreateStoreCheckoutCommand,
  createStoreCheckout,
} from '#shared/domain/affirm/checkout.ts';
import type { AffirmOrder } from '#shared/domain/affirm/order.ts';
import {
  AffirmFailure,
  type AffirmGateway,
  type AffirmTransaction,
  type StoreCheckoutCreated,
  type StoreCheckoutRequest,
} from '#shared/domain/affirm/types.ts';
import type { Caller } from '#shared/domain/caller.ts';
import { MAX_MINOR_AMOUNT } from '#shared/domain/money.ts';
import type { Order } from '#shared/domain/order.ts';
import { HubError, ProviderUnavailableError } from '#shared/errors.ts';
import { memoryOrders } from '../support/memory-orders.ts';
import { AUTHORIZED, affirmOrder } from '../support/orders.ts';

/** An answer Affirm gives: a value, or a thrown error (AffirmFailure: refused; anything else: unknown outcome). */
type Answer<T> = T | Error;

interface Script {
  create?: Answer<StoreCheckoutCreated>[];
  authorize?: Answer<AffirmTransaction>[];
  readTransaction?: Answer<AffirmTransaction>[];
}

interface Calls {
  create: StoreCheckoutRequest[];
  authorize: { checkoutId: string; orderId: string; attempt: number }[];
  readTransaction: string[];
}

const CREATED: StoreCheckoutCreated = { checkoutId: 'CHK-NEW', redirectUrl: 'https://affirm.test/c/CHK-NEW' };

const transaction = (overrides: Partial<AffirmTransaction> = {}): AffirmTransaction => ({
  id: 'TXN-9',
  checkoutId: 'CHK1',
  status: 'authorized',
  amount: 10_000,
  amountRefunded: 0,
  currency: 'USD',
  authorizationExpiresAt: '2026-02-01T00:00:00.000Z',
  events: [],
  ...overrides,
});

/** Answers in script order; once a method's script is used up it answers success. */
function fakeAffirm(script: Script = {}): { gateway: AffirmGateway; calls: Calls } {
  const calls: Calls = { create: [], authorize: [], readTransaction: [] };
  const answer = <T>(answers: Answer<T>[] | undefined, fallback: T): T => {
    const next = answers?.shift() ?? fallback;
    if (next instanceof Error) throw next;
    return next;
  };
  const unused = async (): Promise<never> => {
    throw new Error('not used by checkout');
  };
  return {
    calls,
    gateway: {
      createStoreCheckout: async (request) => {
        calls.create.push(structuredClone(request));
        return answer(script.create, CREATED);
      },
      authorize: async (input) => {
        calls.authorize.push({ ...input });
        return answer(script.authorize, transaction());
      },
      readTransaction: async (id) => {
        calls.readTransaction.push(id);
        return answer(script.readTransaction, transaction());
      },
      readCheckout: unused,
      capture: unused,
      refund: unused,
      void: unused,
    },
  };
}

const denver: Caller = { keyId: 'key_pos', role: 'location', location: 'Denver' };
const admin: Caller = { keyId: 'key_admin', role: 'admin' };
const SETTINGS: CheckoutSettings = { checkoutTtlSeconds: { in_store: 3_600, telesales: 86_400 } };
/** With milliseconds, which Affirm's checkout_expiration cannot carry. */
const NOW = new Date('2026-01-02T10:00:00.750Z');

function setup(script: Script = {}) {
  const orders = memoryOrders();
  const affirm = fakeAffirm(script);
  const deps: AffirmDeps = { orders, affirm: affirm.gateway };
  return { orders, deps, calls: affirm.calls };
}

function command(overrides: Partial<CreateStoreCheckoutCommand> = {}): CreateStoreCheckoutCommand {
  return {
    orderId: 'order-7',
    channel: 'in_store',
    amount: 125_000,
    currency: 'USD',
    customer: {
      name: { first: 'Jane', last: 'Doe' },
      email: 'jane@example.com',
      address: { line1: '1 Main St', city: 'Denver', state: 'CO', zipcode: '80202', country: 'USA' },
    },
    items: [{ sku: 'SOFA-1', name: 'Sofa', unitPrice: 125_000, quantity: 1 }],
    caller: denver,
    fingerprint: 'fp-1',
    ...overrides,
  };
}

/** The error code a call ends with, or 'ok'. */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return error instanceof HubError ? error.code : `not a HubError: ${String(error)}`;
  }
}

async function failure(run: () => Promise<unknown>): Promise<HubError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof HubError) return error;
    throw error;
  }
  throw new Error('expected a HubError');
}

const refused = (reason: ConstructorParameters<typeof AffirmFailure>[0], status = 400) =>
  new AffirmFailure(reason, status, `affirm-${reason}`, `Affirm says ${reason}`);

describe('createStoreCheckout', () => {
  it("reserves the id, sends Affirm the key's location and the channel's expiry, and records the checkout as sent", async () => {
    const { deps, orders, calls } = setup();
    const order = await createStoreCheckout(
      deps,
      SETTINGS,
      command({ channel: 'telesales', entityName: 'Demo Store' }),
      NOW,
    );

    // telesales TTL is 24 h; milliseconds are dropped because Affirm takes whole seconds.
    const expiresAt = '2026-01-03T10:00:00.000Z';
    expect(calls.create).toEqual([
      {
        orderId: 'order-7',
        channel: 'telesales',
        amount: 125_000,
        currency: 'USD',
        customer: command().customer,
        items: command().items,
        entityName: 'Demo Store',
        storeLocation: 'Denver',
        expiresAt,
      },
    ]);
    expect(order).toMatchObject({
      orderId: 'order-7',
      location: 'Denver',
      channel: 'telesales',
      amount: 125_000,
      requestFingerprint: 'fp-1',
      payment: { checkout: { state: 'sent', expiresAt, ...CREATED } },
    });
    expect(order.events).toEqual([
      {
        at: NOW.toISOString(),
        type: 'checkout.sent',
        detail: { checkoutId: 'CHK-NEW', channel: 'telesales' },
      },
    ]);
    expect(orders.stored.get('order-7')).toEqual(order);
  });

  it("uses each channel's own time to live", async () => {
    const { deps, calls } = setup();
    await createStoreCheckout(deps, SETTINGS, command({ channel: 'in_store' }), NOW);
    expect(calls.create[0]?.expiresAt).toBe('2026-01-02T11:00:00.000Z');
  });

  it('lets a location key repeat its own location, and fills it in when omitted', async () => {
    const same = setup();
    await createStoreCheckout(same.deps, SETTINGS, command({ storeLocation: 'Denver' }), NOW);
    expect(same.calls.create[0]?.storeLocation).toBe('Denver');
    expect(same.orders.stored.get('order-7')?.location).toBe('Denver');

    const omitted = setup();
    await createStoreCheckout(omitted.deps, SETTINGS, command(), NOW);
    expect(omitted.calls.create[0]?.storeLocation).toBe('Denver');
  });

  it("refuses a location key's checkout for another store location, before reserving or calling Affirm", async () => {
    const { deps, orders, calls } = setup();
    const error = await failure(() =>
      createStoreCheckout(deps, SETTINGS, command({ storeLocation: 'Boston' }), NOW),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.fieldErrors).toEqual([
      { path: 'metadata.storeLocation', message: expect.stringContaining('Denver') },
    ]);
    expect(calls.create).toEqual([]);
    expect(orders.stored.size).toBe(0);
  });

  it('lets an admin key choose the store location, which then owns the order', async () => {
    const chosen = setup();
    const order = await createStoreCheckout(
      chosen.deps,
      SETTINGS,
      command({ caller: admin, storeLocation: 'Boston' }),
      NOW,
    );
    expect(order.location).toBe('Boston');
    expect(chosen.calls.create[0]?.storeLocation).toBe('Boston');

    const none = setup();
    const unplaced = await createStoreCheckout(none.deps, SETTINGS, command({ caller: admin }), NOW);
    expect(unplaced.location).toBe('admin');
    expect(none.calls.create[0]?.storeLocation).toBe('admin');
  });

  it('refuses a taken order id with ORDER_EXISTS without calling Affirm, leaving the order as it was', async () => {
    const { deps, orders, calls } = setup();
    const existing = affirmOrder({ orderId: 'order-7' });
    orders.stored.set('order-7', existing);
    expect(await outcome(() => createStoreCheckout(deps, SETTINGS, command(), NOW))).toBe('ORDER_EXISTS');
    expect(calls.create).toEqual([]);
    expect(orders.stored.get('order-7')).toEqual(existing);
  });

  it('refuses an unfinished create of another request body with ORDER_EXISTS', async () => {
    const { deps, orders, calls } = setup({ create: [new ProviderUnavailableError('timeout')] });
    await outcome(() => createStoreCheckout(deps, SETTINGS, command(), NOW));
    expect(
      await outcome(() => createStoreCheckout(deps, SETTINGS, command({ fingerprint: 'fp-other' }), NOW)),
    ).toBe('ORDER_EXISTS');
    expect(calls.create).toHaveLength(1);
    expect((orders.stored.get('order-7') as AffirmOrder | undefined)?.payment.checkout.state).toBe(
      'creating',
    );
  });

  it('keeps the reservation when the outcome at Affirm is unknown, and lets a retry of the same request finish it', async () => {
    const { deps, orders, calls } = setup({ create: [new ProviderUnavailableError('timeout')] });
    expect(await outcome(() => createStoreCheckout(deps, SETTINGS, command(), NOW))).toBe(
      'PROVIDER_UNAVAILABLE',
    );
    const kept = orders.stored.get('order-7') as AffirmOrder | undefined;
    expect(kept?.payment.checkout.state).toBe('creating');
    // The failed attempt gave its lease up, so the retry need not wait.
    expect(kept?.payment.checkout.leaseUntil).toBe(NOW.toISOString());

    const later = new Date(NOW.getTime() + 1_000);
    const order = await createStoreCheckout(deps, SETTINGS, command(), later);
    expect(order.payment.checkout).toMatchObject({ state: 'sent', checkoutId: 'CHK-NEW' });
    expect(calls.create).toHaveLength(2);
    // Both attempts told Affirm the same expiry: the one reserved first.
    expect(calls.create[1]?.expiresAt).toBe(calls.create[0]?.expiresAt);
  });

  it('makes a retry wait while another attempt still holds the reservation', async () => {
    const { deps, orders, calls } = setup();
    const reservation: Order = affirmOrder({
      orderId: 'order-7',
      requestFingerprint: 'fp-1',
      checkout: {
        state: 'creating',
        expiresAt: '2026-01-02T11:00:00.000Z',
        leaseUntil: new Date(NOW.getTime() + 10_000).toISOString(),
      },
    });
    orders.stored.set('order-7', reservation);
    expect(await outcome(() => createStoreCheckout(deps, SETTINGS, command(), NOW))).toBe(
      'OPERATION_IN_PROGRESS',
    );
    expect(calls.create).toEqual([]);
  });

  it('frees the id when Affirm refuses, so a corrected request can use it', async () => {
    const { deps, orders, calls } = setup({ create: [refused('rejected')] });
    const error = await failure(() => createStoreCheckout(deps, SETTINGS, command(), NOW));
    expect(error.code).toBe('PROVIDER_REJECTED');
    expect(orders.stored.has('order-7')).toBe(false);

    const order = await createStoreCheckout(deps, SETTINGS, command({ fingerprint: 'fp-2' }), NOW);
    expect(order.payment.checkout.state).toBe('sent');
    expect(calls.create).toHaveLength(2);
  });
});

describe('createStoreCheckout: items that must add up to the amount', () => {
  const item = (unitPrice: number, quantity = 1) => ({ sku: 'SKU', name: 'Thing', unitPrice, quantity });

  it('accepts items plus tax plus shipping that come to the amount', async () => {
    const { deps, calls } = setup();
    const order = await createStoreCheckout(
      deps,
      SETTINGS,
      command({
        amount: 125_000,
        items: [item(40_000, 2), item(20_000)],
        taxAmount: 20_000,
        shippingAmount: 5_000,
      }),
      NOW,
    );
    expect(order.payment.checkout.state).toBe('sent');
    expect(calls.create).toHaveLength(1);
  });

  it('refuses items that do not add up, naming the sum, before reserving or calling Affirm', async () => {
    const { deps, orders, calls } = setup();
    const error = await failure(() =>
      createStoreCheckout(
        deps,
        SETTINGS,
        // 2 x 40_000 + 20_000 + tax 20_000 = 120_000: the 5_000 shipping is missing.
        command({ amount: 125_000, items: [item(40_000, 2), item(20_000)], taxAmount: 20_000 }),
        NOW,
      ),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.fieldErrors).toEqual([{ path: 'amount', message: expect.stringMatching(/\b120000\b/) }]);
    expect(calls.create).toEqual([]);
    expect(orders.stored.size).toBe(0);
  });

  it('counts tax and shipping: items alone equal to the amount are refused when tax is added', async () => {
    const { deps } = setup();
    expect(
      await outcome(() =>
        createStoreCheckout(
          deps,
          SETTINGS,
          command({ amount: 1_000, items: [item(1_000)], shippingAmount: 1 }),
          NOW,
        ),
      ),
    ).toBe('VALIDATION_FAILED');
  });

  it('treats an empty item list as items given, adding up to nothing', async () => {
    const { deps } = setup();
    expect(await outcome(() => createStoreCheckout(deps, SETTINGS, command({ items: [] }), NOW))).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('does not check the amount when no items are given', async () => {
    const { deps } = setup();
    const order = await createStoreCheckout(
      deps,
      SETTINGS,
      command({ amount: 777, items: undefined, taxAmount: 5_000, shippingAmount: 5_000 }),
      NOW,
    );
    expect(order.amount).toBe(777);
  });

  it('adds exactly past Number.MAX_SAFE_INTEGER, where floating point would round', async () => {
    const { deps } = setup();
    // 499 x (1e11 x 10_000) + 1 = 499_000_000_000_000_001: a double cannot hold it (it reads ...000).
    const items = [...Array.from({ length: 499 }, () => item(MAX_MINOR_AMOUNT, 10_000)), item(1)];
    const error = await failure(() =>
      createStoreCheckout(deps, SETTINGS, command({ amount: MAX_MINOR_AMOUNT, items }), NOW),
    );
    expect(error.fieldErrors?.[0]?.message).toContain('499000000000000001');
  });
});

describe('authorizeCheckout', () => {
  /** An order whose checkout CHK1 was sent and expires at 01:00. */
  const DURING = new Date('2026-01-01T00:30:00.000Z');

  function withOrder(order: Order, script: Script = {}) {
    const context = setup(script);
    context.orders.stored.set(order.orderId, order);
    const authorize = (now = DURING, caller = denver) =>
      authorizeCheckout(context.deps, { checkoutId: 'CHK1', caller }, now);
    const stored = () => context.orders.stored.get(order.orderId) as AffirmOrder;
    return { ...context, authorize, stored };
  }

  it("records Affirm's authorization: loan id, amount and Affirm's expiry", async () => {
    const { authorize, calls, stored } = withOrder(affirmOrder());
    const order = await authorize();
    expect(calls.authorize).toEqual([{ checkoutId: 'CHK1', orderId: 'order-1', attempt: 0 }]);
    expect(order).toMatchObject({
      authorizedAmount: 10_000,
      capturableAmount: 10_000,
      authorizationExpiresAt: '2026-02-01T00:00:00.000Z',
      payment: { transactionId: 'TXN-9', authorizedAt: DURING.toISOString() },
    });
    expect(order.payment.checkout.state).toBe('confirmed');
    expect(stored()).toEqual(order);
  });

  it('returns an authorized order without calling Affirm', async () => {
    const authorized = affirmOrder({ authorization: AUTHORIZED });
    const { authorize, calls } = withOrder(authorized);
    expect(await authorize()).toEqual(authorized);
    expect(calls.authorize).toEqual([]);
  });

  it('refuses a declined checkout, and an expired one, before calling Affirm', async () => {
    const declined = withOrder(affirmOrder({ checkout: { state: 'declined' } }));
    expect(await outcome(() => declined.authorize())).toBe('AUTHORIZATION_DECLINED');
    expect(declined.calls.authorize).toEqual([]);

    const marked = withOrder(affirmOrder({ checkout: { state: 'expired' } }));
    expect(await outcome(() => marked.authorize())).toBe('CHECKOUT_EXPIRED');
    expect(marked.calls.authorize).toEqual([]);

    // Not yet marked expired, but past its expiry: the hub's clock decides, Affirm is not asked.
    const lapsed = withOrder(affirmOrder());
    expect(await outcome(() => lapsed.authorize(new Date('2026-01-01T01:00:00.000Z')))).toBe(
      'CHECKOUT_EXPIRED',
    );
    expect(lapsed.calls.authorize).toEqual([]);
  });

  it("hides another location's checkout", async () => {
    const { authorize, calls } = withOrder(affirmOrder());
    const boston: Caller = { keyId: 'key_b', role: 'location', location: 'Boston' };
    expect(await outcome(() => authorize(DURING, boston))).toBe('NOT_FOUND');
    expect(calls.authorize).toEqual([]);
  });

  it("maps Affirm's refusals to their codes and records the checkout's new state", async () => {
    const declined = withOrder(affirmOrder(), { authorize: [refused('declined', 403)] });
    expect(await outcome(() => declined.authorize())).toBe('AUTHORIZATION_DECLINED');
    expect(declined.stored().payment.checkout.state).toBe('declined');
    expect(declined.stored().payment.transactionId).toBeUndefined();
    expect(declined.stored().events.map((e) => e.type)).toEqual(['checkout.declined']);

    const expired = withOrder(affirmOrder(), { authorize: [refused('checkout_expired', 403)] });
    expect(await outcome(() => expired.authorize())).toBe('CHECKOUT_EXPIRED');
    expect(expired.stored().payment.checkout.state).toBe('expired');

    const early = withOrder(affirmOrder(), { authorize: [refused('not_confirmed')] });
    expect(await outcome(() => early.authorize())).toBe('CHECKOUT_NOT_CONFIRMED');
    expect(early.stored().payment.checkout.state).toBe('sent');
  });

  it('asks with a fresh provider key after "not confirmed", but with the same key after an unknown outcome', async () => {
    const { authorize, calls, stored } = withOrder(affirmOrder(), {
      authorize: [refused('not_confirmed'), new ProviderUnavailableError('timeout')],
    });
    expect(await outcome(() => authorize())).toBe('CHECKOUT_NOT_CONFIRMED');
    expect(stored().payment.checkout.authorizeAttempt).toBe(1);

    expect(await outcome(() => authorize())).toBe('PROVIDER_UNAVAILABLE');
    expect(stored().payment.checkout.authorizeAttempt).toBe(1);

    await authorize();
    expect(calls.authorize.map((c) => c.attempt)).toEqual([0, 1, 1]);
    expect(stored().payment.transactionId).toBe('TXN-9');
  });

  it('recovers a loan Affirm already authorized by reading the transaction of the checkout', async () => {
    const { authorize, calls, stored } = withOrder(affirmOrder(), {
      authorize: [refused('already_authorized', 409)],
      readTransaction: [transaction({ id: 'TXN-LOST', amount: 10_000 })],
    });
    const order = await authorize();
    expect(calls.readTransaction).toEqual(['CHK1']);
    expect(order.payment.transactionId).toBe('TXN-LOST');
    expect(stored().payment.transactionId).toBe('TXN-LOST');
    expect(stored().payment.checkout.authorizeAttempt).toBeUndefined();
  });

  it('records no loan when the transaction read back is not authorized (Affirm keeps one from confirmation)', async () => {
    const { authorize, stored } = withOrder(affirmOrder(), {
      authorize: [refused('already_authorized', 409)],
      readTransaction: [transaction({ id: 'TXN-CONFIRMED', status: 'other' })],
    });
    await expect(authorize()).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(stored().payment.transactionId).toBeUndefined();
  });
});
