import { describe, expect, it } from 'vitest';
import { AffirmFailure } from '#shared/domain/affirm/types.ts';
import { ProviderUnavailableError } from '#shared/errors.ts';
import { failureFrom } from '#shared/providers/affirm/errors.ts';
import {
  mapCheckoutStatus,
  mapTransactionStatus,
  parseSuccess,
  toCheckoutView,
  toStoreCheckoutWire,
  toTransaction,
} from '#shared/providers/affirm/mapping.ts';
import {
  checkoutWire,
  storeCheckoutResponseWire,
  transactionEventWire,
  transactionWire,
} from '#shared/providers/affirm/schemas.ts';

// Recorded sandbox responses quoted in providers/affirm.md (affirm-ruby-api fixtures).
const AUTHORIZE_SUCCESS = {
  id: 'DVEP-FTQO',
  checkout_id: 'P08NWT3Z84P58GZS',
  order_id: 'R637017534',
  status: 'authorized',
  amount: 25000,
  amount_refunded: 0,
  currency: 'USD',
  created: '2020-03-30T12:36:17Z',
  authorization_expiration: '2020-04-29T12:55:39Z',
  provider_id: 1,
  events: [
    { id: '8FKXAQSHIIGU4I3F', type: 'auth', amount: 25000, currency: 'USD', created: '2020-03-30T12:55:39Z' },
  ],
};
const CAPTURE_SUCCESS = {
  amount: 25000,
  created: '2020-03-30T13:00:00Z',
  currency: 'USD',
  fee: 0,
  id: 'U4ABBRQG5M01JDZ6',
  type: 'capture',
};
const REFUND_SUCCESS = {
  amount: 500,
  created: '2020-03-30T13:00:00Z',
  currency: 'USD',
  fee_refunded: 0,
  id: 'R1',
  type: 'refund',
};
const VOID_SUCCESS = { created: '2020-03-30T13:00:00Z', currency: 'USD', id: 'LSE-7MZU-P24E', type: 'void' };

const failure = (status: number, body: unknown) => failureFrom({ status, body });

describe('Affirm mapping', () => {
  it('parses the store checkout answer', () => {
    const body = {
      checkout_id: 'HEYR6TCV4VBX6NPM',
      redirect_url: 'https://sandbox.affirm.com/checkout/K/new/HEYR6TCV4VBX6NPM/',
    };
    expect(parseSuccess(storeCheckoutResponseWire(), { status: 200, body })).toEqual(body);
  });

  it('reads the transaction object into the domain view', () => {
    const transaction = toTransaction(
      parseSuccess(transactionWire(), { status: 200, body: AUTHORIZE_SUCCESS }),
    );
    expect(transaction).toEqual({
      id: 'DVEP-FTQO',
      checkoutId: 'P08NWT3Z84P58GZS',
      status: 'authorized',
      amount: 25000,
      amountRefunded: 0,
      currency: 'USD',
      authorizationExpiresAt: '2020-04-29T12:55:39.000Z',
      events: [
        { id: '8FKXAQSHIIGU4I3F', type: 'auth', amount: 25000, createdAt: '2020-03-30T12:55:39.000Z' },
      ],
    });
  });

  it('reads capture, refund and void answers, which are single event objects', () => {
    for (const body of [CAPTURE_SUCCESS, REFUND_SUCCESS, VOID_SUCCESS]) {
      expect(parseSuccess(transactionEventWire(), { status: 200, body }).id).toBe(body.id);
    }
  });

  it('treats an unreadable success as an unknown outcome, never as a failure', () => {
    expect(() => parseSuccess(transactionWire(), { status: 200, body: { status: 'authorized' } })).toThrow(
      ProviderUnavailableError,
    );
    expect(() => parseSuccess(transactionWire(), { status: 200, body: undefined })).toThrow(
      ProviderUnavailableError,
    );
  });

  it('maps every documented transaction status, and anything else to other', () => {
    expect(mapTransactionStatus('authorized')).toBe('authorized');
    expect(mapTransactionStatus('captured')).toBe('captured');
    expect(mapTransactionStatus('partially_refunded')).toBe('partially_refunded');
    expect(mapTransactionStatus('refunded')).toBe('refunded');
    expect(mapTransactionStatus('voided')).toBe('voided');
    expect(mapTransactionStatus('auth_expired')).toBe('auth_expired');
    expect(mapTransactionStatus('disputed')).toBe('other');
    expect(mapTransactionStatus('something_new')).toBe('other');
  });

  it('reads a confirmed transaction (one that exists before authorization) as other, never as authorized', () => {
    const confirmed = {
      id: 'LS-4BSY-SV6E',
      checkout_id: '1EZYMAQDSZPSN7PM',
      status: 'confirmed',
      amount: 210420,
      amount_refunded: 0,
      currency: 'USD',
      created: '2020-04-09T17:20:43Z',
      authorization_expiration: '2020-05-09T17:20:43Z',
      provider_id: 2,
      events: [{ id: 'LSE-N2OE-UX2H', type: 'confirm', currency: 'USD', created: '2020-04-09T17:22:02Z' }],
    };
    const transaction = toTransaction(parseSuccess(transactionWire(), { status: 200, body: confirmed }));
    expect(transaction.status).toBe('other');
    expect(transaction.events).toStrictEqual([
      { id: 'LSE-N2OE-UX2H', type: 'other', createdAt: '2020-04-09T17:22:02.000Z' },
    ]);
  });

  it('takes a checkout id from the request, as the checkout read does not carry it', () => {
    const body = { checkout_id: 'SOMETHINGELSE000', checkout_status: 'confirmed', total: 100 };
    const view = toCheckoutView('ASKED', parseSuccess(checkoutWire(), { status: 200, body }));
    expect(view).toMatchObject({ checkoutId: 'ASKED', status: 'confirmed', amount: 100 });
  });

  it('maps checkout statuses, including the "unknown" of the recorded sandbox read', () => {
    expect(mapCheckoutStatus('confirmed')).toBe('confirmed');
    expect(mapCheckoutStatus('not_approved')).toBe('declined');
    expect(mapCheckoutStatus('approved')).toBe('opened');
    expect(mapCheckoutStatus('unknown')).toBe('unknown');
    expect(mapCheckoutStatus(undefined)).toBe('unknown');
  });

  it.each([
    [403, { status_code: 403, type: 'already_authorized', message: 'x' }, 'already_authorized'],
    [403, { status_code: 403, type: 'already_captured', message: 'x' }, 'already_captured'],
    [403, { status_code: 403, type: 'refund_forbidden_on_authorized', message: 'x' }, 'not_refundable'],
    [403, { status_code: 403, type: 'refund_forbidden_on_voided', message: 'x' }, 'not_refundable'],
    [403, { status_code: 403, type: 'void_forbidden_on_captured', message: 'x' }, 'not_voidable'],
    [403, { status_code: 403, type: 'void_forbidden_on_confirmed', message: 'x' }, 'not_voidable'],
    [
      401,
      { status_code: 401, type: 'unauthorized', code: 'api-key-pair-invalid', message: 'x' },
      'credentials',
    ],
    [400, { status_code: 400, type: 'invalid_request', code: 'public-api-key-invalid' }, 'credentials'],
    [400, { status_code: 400, type: 'invalid_request', code: 'auth-declined' }, 'declined'],
    [400, { status_code: 400, type: 'invalid_request', code: 'refund-exceeded' }, 'refund_exceeded'],
    [
      400,
      { status_code: 400, type: 'invalid_request', code: 'expired-authorization' },
      'authorization_expired',
    ],
    [
      400,
      { status_code: 400, type: 'invalid_request', code: 'invalid_field', field: 'billing.email' },
      'rejected',
    ],
    [
      409,
      { status_code: 409, message: 'transaction with this idempotency key is processing' },
      'in_progress',
    ],
    [
      409,
      {
        status_code: 409,
        code: 'capture-unequal-instrument',
        message: 'Cannot capture for an amount unequal',
      },
      'amount_mismatch',
    ],
    [404, { status_code: 404, message: 'The transaction could not be found.' }, 'not_found'],
  ])('maps a %i %j to %s', (status, body, reason) => {
    const mapped = failure(status, body);
    expect(mapped).toBeInstanceOf(AffirmFailure);
    expect((mapped as AffirmFailure).reason).toBe(reason);
  });

  it('maps the XML 404 of a wrong auth scheme (no JSON body) without crashing', () => {
    const mapped = failure(404, undefined) as AffirmFailure;
    expect(mapped.reason).toBe('not_found');
    expect(mapped.providerCode).toBe('http_404');
  });

  it('reads 5xx, 408 and 429 as unknown outcomes', () => {
    for (const status of [500, 502, 503, 504, 408, 429]) {
      expect(failure(status, { message: 'down' })).toBeInstanceOf(ProviderUnavailableError);
    }
  });

  it('builds the store checkout request with cents, both contacts and an expiration without milliseconds', () => {
    const wire = toStoreCheckoutWire(
      {
        orderId: 'o-1',
        channel: 'telesales',
        amount: 125000,
        currency: 'USD',
        customer: {
          name: { first: 'Jane', last: 'Doe' },
          email: 'jane@example.com',
          address: { line1: '1 Main St', city: 'Denver', state: 'CO', zipcode: '80202', country: 'USA' },
        },
        items: [{ sku: 'SOFA', name: 'Sofa', unitPrice: 125000, quantity: 1 }],
        taxAmount: 0,
        storeLocation: 'Denver',
        expiresAt: '2026-01-01T01:00:00.000Z',
      },
      { publicApiKey: 'PUB', confirmationUrl: 'https://hub/confirm', cancelUrl: 'https://hub/cancel' },
    );
    expect(wire).toMatchObject({
      merchant: {
        public_api_key: 'PUB',
        user_confirmation_url: 'https://hub/confirm',
        user_confirmation_url_action: 'POST',
      },
      billing: { name: { first: 'Jane', last: 'Doe' }, email: 'jane@example.com' },
      items: [{ display_name: 'Sofa', sku: 'SOFA', unit_price: 125000, qty: 1 }],
      metadata: { store_location: 'Denver', mode: 'telesales' },
      order_id: 'o-1',
      total: 125000,
      tax_amount: 0,
      currency: 'USD',
      checkout_expiration: '2026-01-01T01:00:00Z',
    });
    expect(wire.billing.phone_number).toBeUndefined();
  });
});
