/** The Affirm adapter (client, mapping, gateway) against the Affirm simulator over HTTP. */

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AffirmFailure, type AffirmGateway, type StoreCheckoutRequest } from '#shared/domain/affirm/types.ts';
import { ProviderUnavailableError } from '#shared/errors.ts';
import { createLogger, type Logger } from '#shared/log.ts';
import { AffirmClient } from '#shared/providers/affirm/client.ts';
import type { AffirmCredentials } from '#shared/providers/affirm/config.ts';
import { createAffirmGateway } from '#shared/providers/affirm/gateway.ts';
import { uniqueId } from '../support/ids.ts';
import { affirmSim } from '../support/stack.ts';

const KEYS: AffirmCredentials = { publicApiKey: 'sim_affirm_public', privateApiKey: 'sim_affirm_private' };

function gateway(
  credentials: AffirmCredentials = KEYS,
  onCredentialsRejected?: () => void,
  log: Logger = createLogger({}, () => undefined),
): AffirmGateway {
  const client = new AffirmClient({
    baseUrl: affirmSim.url(),
    timeoutMs: 800,
    credentials: async () => credentials,
    onCredentialsRejected,
    log,
  });
  return createAffirmGateway(
    client,
    { confirmationUrl: 'http://hub/confirm', cancelUrl: 'http://hub/cancel' },
    async () => credentials.publicApiKey,
  );
}

function checkoutRequest(overrides: Partial<StoreCheckoutRequest> = {}): StoreCheckoutRequest {
  return {
    orderId: uniqueId('order'),
    channel: 'in_store',
    amount: 50_000,
    currency: 'USD',
    customer: {
      name: { first: 'Jane', last: 'Doe' },
      email: 'jane@example.com',
      address: { line1: '1 Main St', city: 'Denver', state: 'CO', zipcode: '80202', country: 'USA' },
    },
    storeLocation: 'Denver',
    // On the simulator's clock, which earlier test files may have moved forward.
    expiresAt: new Date(simulatorNow + 3_600_000).toISOString(),
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<AffirmFailure | ProviderUnavailableError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AffirmFailure || error instanceof ProviderUnavailableError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

async function authorizedCheckout(affirm: AffirmGateway) {
  const request = checkoutRequest();
  const { checkoutId } = await affirm.createStoreCheckout(request);
  await affirmSim.approve(checkoutId);
  const transaction = await affirm.authorize({ checkoutId, orderId: request.orderId, attempt: 0 });
  return { checkoutId, transaction, orderId: request.orderId };
}

/** The simulator's time when this file started (ms), read from its clock route. */
let simulatorNow = Date.now();
beforeAll(async () => {
  simulatorNow = await affirmSim.now();
});

afterEach(() => affirmSim.clearFaults());

describe('Affirm adapter against the simulator', () => {
  it('opens a checkout whose link goes to the customer, and authorizes it only once confirmed', async () => {
    const affirm = gateway();
    const request = checkoutRequest();
    const created = await affirm.createStoreCheckout(request);
    expect(created.redirectUrl).toBe(
      `${affirmSim.url()}/checkout/sim_affirm_public/new/${created.checkoutId}/`,
    );
    expect(await affirmSim.outbox()).toContainEqual(
      expect.objectContaining({
        checkoutId: created.checkoutId,
        channel: 'email',
        link: created.redirectUrl,
      }),
    );

    const early = (await failure(
      affirm.authorize({ checkoutId: created.checkoutId, orderId: request.orderId, attempt: 0 }),
    )) as AffirmFailure;
    expect(early.reason).toBe('not_confirmed');

    await affirmSim.approve(created.checkoutId);
    const transaction = await affirm.authorize({
      checkoutId: created.checkoutId,
      orderId: request.orderId,
      attempt: 1,
    });
    expect(transaction).toMatchObject({
      checkoutId: created.checkoutId,
      status: 'authorized',
      amount: 50_000,
      amountRefunded: 0,
    });
    const days =
      (Date.parse(transaction.authorizationExpiresAt ?? '') - (await affirmSim.now())) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  it('reads a checkout as the customer moves through it', async () => {
    const affirm = gateway();
    const request = checkoutRequest({ amount: 12_300 });
    const { checkoutId } = await affirm.createStoreCheckout(request);
    expect(await affirm.readCheckout(checkoutId)).toEqual({
      checkoutId,
      status: 'sent',
      orderId: request.orderId,
      amount: 12_300,
      currency: 'USD',
    });
    await affirmSim.approve(checkoutId);
    expect((await affirm.readCheckout(checkoutId)).status).toBe('confirmed');
    await affirm.authorize({ checkoutId, orderId: request.orderId, attempt: 0 });
    expect((await affirm.readCheckout(checkoutId)).status).toBe('authorized');
    expect(((await failure(affirm.readCheckout('NOSUCHCHECKOUT00'))) as AffirmFailure).reason).toBe(
      'not_found',
    );
  });

  it('gets the same transaction back when an authorize is repeated with the same attempt', async () => {
    const affirm = gateway();
    const { checkoutId, transaction, orderId } = await authorizedCheckout(affirm);
    const again = await affirm.authorize({ checkoutId, orderId, attempt: 0 });
    expect(again.id).toBe(transaction.id);
    const fresh = (await failure(affirm.authorize({ checkoutId, orderId, attempt: 1 }))) as AffirmFailure;
    expect(fresh.reason).toBe('already_authorized');
    expect((await affirm.readTransaction(checkoutId)).id).toBe(transaction.id);
  });

  it('captures once, refunds partially with its reference, refuses to refund past the capture or void after it', async () => {
    const affirm = gateway();
    const { transaction, orderId } = await authorizedCheckout(affirm);
    const base = { transactionId: transaction.id, orderId };
    const capture = await affirm.capture({ ...base, operationId: 'op_c1', amount: 50_000 });
    expect(capture.amount).toBe(50_000);
    expect(
      ((await failure(affirm.capture({ ...base, operationId: 'op_c2', amount: 50_000 }))) as AffirmFailure)
        .reason,
    ).toBe('already_captured');
    await affirm.refund({ ...base, operationId: 'rf_1', amount: 20_000 });
    await affirm.refund({ ...base, operationId: 'rf_2', amount: 10_000 });
    expect(
      ((await failure(affirm.refund({ ...base, operationId: 'rf_3', amount: 20_001 }))) as AffirmFailure)
        .reason,
    ).toBe('refund_exceeded');
    expect(((await failure(affirm.void({ ...base, operationId: 'op_v' }))) as AffirmFailure).reason).toBe(
      'not_voidable',
    );

    const read = await affirm.readTransaction(transaction.id);
    expect(read).toMatchObject({ status: 'partially_refunded', amountRefunded: 30_000 });
    // Affirm lists events newest first (recording get_transaction__success_with_multiple_events).
    expect(read.events.filter((e) => e.type === 'refund').map((e) => e.referenceId)).toEqual([
      'rf_2',
      'rf_1',
    ]);
  });

  it('voids before capture, after which nothing else is possible', async () => {
    const affirm = gateway();
    const { transaction, orderId } = await authorizedCheckout(affirm);
    const base = { transactionId: transaction.id, orderId };
    await affirm.void({ ...base, operationId: 'op_v' });
    expect(
      ((await failure(affirm.refund({ ...base, operationId: 'rf_1', amount: 1 }))) as AffirmFailure).reason,
    ).toBe('not_refundable');
    expect(
      ((await failure(affirm.capture({ ...base, operationId: 'op_c', amount: 50_000 }))) as AffirmFailure)
        .reason,
    ).toBe('not_found');
    expect((await affirm.readTransaction(transaction.id)).status).toBe('voided');
  });

  it('reads the transaction that exists once the customer confirms as other, not authorized, and cannot void it', async () => {
    const affirm = gateway();
    const request = checkoutRequest();
    const { checkoutId } = await affirm.createStoreCheckout(request);
    await affirmSim.approve(checkoutId);
    const confirmed = await affirm.readTransaction(checkoutId);
    expect(confirmed).toMatchObject({ checkoutId, status: 'other', amount: 50_000 });
    expect(confirmed.events.map((e) => e.type)).toEqual(['other']);
    const voided = (await failure(
      affirm.void({ transactionId: confirmed.id, orderId: request.orderId, operationId: 'op_v' }),
    )) as AffirmFailure;
    expect(voided).toMatchObject({ reason: 'not_voidable', providerCode: 'void_forbidden_on_confirmed' });

    const authorized = await affirm.authorize({ checkoutId, orderId: request.orderId, attempt: 0 });
    expect(authorized).toMatchObject({ id: confirmed.id, status: 'authorized' });
    expect(authorized.authorizationExpiresAt).toBe(confirmed.authorizationExpiresAt);
    expect(authorized.events.map((e) => e.type)).toEqual(['auth', 'other']);
  });

  it('reads events without a reference when Affirm does not echo reference_id', async () => {
    const affirm = gateway();
    const { transaction, orderId } = await authorizedCheckout(affirm);
    const base = { transactionId: transaction.id, orderId };
    try {
      await affirmSim.settings({ echoReferenceId: false });
      await affirm.capture({ ...base, operationId: 'op_c', amount: 50_000 });
      const refund = await affirm.refund({ ...base, operationId: 'rf_1', amount: 1_000 });
      const read = await affirm.readTransaction(transaction.id);
      expect(read.events.find((e) => e.type === 'refund')).toStrictEqual({
        id: refund.eventId,
        type: 'refund',
        amount: 1_000,
        createdAt: expect.any(String),
      });
      expect(read.events.filter((e) => e.referenceId !== undefined)).toEqual([]);
    } finally {
      await affirmSim.settings({ echoReferenceId: true });
    }
  });

  it('reports a declined customer', async () => {
    const affirm = gateway();
    const request = checkoutRequest();
    const { checkoutId } = await affirm.createStoreCheckout(request);
    await affirmSim.decline(checkoutId);
    expect(
      (
        (await failure(
          affirm.authorize({ checkoutId, orderId: request.orderId, attempt: 0 }),
        )) as AffirmFailure
      ).reason,
    ).toBe('declined');
  });

  it('reports rejected keys and lets the caller drop its cached copy', async () => {
    let dropped = false;
    const affirm = gateway({ publicApiKey: 'sim_affirm_public', privateApiKey: 'wrong' }, () => {
      dropped = true;
    });
    expect(((await failure(affirm.readTransaction('AAAA-BBBB'))) as AffirmFailure).reason).toBe(
      'credentials',
    );
    expect(dropped).toBe(true);
  });

  it('reports a 503 as an unknown outcome and does not repeat the write', async () => {
    const affirm = gateway();
    const { transaction, orderId } = await authorizedCheckout(affirm);
    const path = `/api/v1/transactions/${transaction.id}/capture`;
    await affirmSim.fault({ match: `POST ${path}`, mode: 'status', status: 503 });
    expect(
      await failure(
        affirm.capture({ transactionId: transaction.id, orderId, operationId: 'op_1', amount: 50_000 }),
      ),
    ).toBeInstanceOf(ProviderUnavailableError);
    expect((await affirmSim.requests()).filter((r) => r.path === path)).toHaveLength(1);
    expect((await affirm.readTransaction(transaction.id)).status).toBe('authorized');
  });

  it('times out on a lost answer; the same operation re-sent is replayed, not applied twice', async () => {
    const affirm = gateway();
    const { transaction, orderId } = await authorizedCheckout(affirm);
    await affirmSim.fault({ match: 'POST /api/v1/transactions/{id}/refund', mode: 'timeout' });
    const input = { transactionId: transaction.id, orderId, operationId: 'op_c', amount: 50_000 };
    await affirm.capture(input);
    const started = Date.now();
    expect(await failure(affirm.refund({ ...input, operationId: 'rf_lost', amount: 5_000 }))).toBeInstanceOf(
      ProviderUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    const replayed = await affirm.refund({ ...input, operationId: 'rf_lost', amount: 5_000 });
    const read = await affirm.readTransaction(transaction.id);
    expect(read.amountRefunded).toBe(5_000);
    expect(read.events.find((e) => e.type === 'refund')?.id).toBe(replayed.eventId);
  });

  it('logs a call that timed out by the error name, TimeoutError', async () => {
    const lines: string[] = [];
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'warn'; // read when the logger is made; the stack's environment is silent
    const log = createLogger({}, (line) => lines.push(line));
    process.env.LOG_LEVEL = level;
    const affirm = gateway(KEYS, undefined, log);
    const { transaction, orderId } = await authorizedCheckout(affirm);
    await affirmSim.fault({ match: 'POST /api/v1/transactions/{id}/void', mode: 'timeout', when: 'before' });
    const failed = await failure(
      affirm.void({ transactionId: transaction.id, orderId, operationId: 'op_v' }),
    );
    expect(failed).toMatchObject({ publicDetail: 'Affirm did not answer within 0.8 s.' });
    const logged = lines.map((line) => JSON.parse(line)).filter((l) => l.message === 'affirm call failed');
    expect(logged).toEqual([expect.objectContaining({ method: 'POST', error: 'TimeoutError', attempt: 1 })]);
  });

  it('retries a read after a 5xx, but never a write that may have been received', async () => {
    const affirm = gateway();
    const { transaction, orderId } = await authorizedCheckout(affirm);
    const readPath = `/api/v1/transactions/${transaction.id}`;
    await affirmSim.fault({ match: `GET ${readPath}`, mode: 'status', status: 502 });
    expect((await affirm.readTransaction(transaction.id)).id).toBe(transaction.id);
    expect((await affirmSim.requests()).filter((r) => r.path === readPath)).toHaveLength(2);

    const voidPath = `/api/v1/transactions/${transaction.id}/void`;
    await affirmSim.fault({ match: `POST ${voidPath}`, mode: 'reset', when: 'before' });
    expect(
      await failure(affirm.void({ transactionId: transaction.id, orderId, operationId: 'op_v' })),
    ).toBeInstanceOf(ProviderUnavailableError);
    expect((await affirmSim.requests()).filter((r) => r.path === voidPath)).toHaveLength(1);
  });
});
