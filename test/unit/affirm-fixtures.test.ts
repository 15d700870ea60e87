/**
 * Contract test: every real answer recorded from Affirm's sandbox (test/fixtures/affirm/) goes
 * through the adapter's reading code, from the raw body on, and must be read as what it means.
 * A recording without an expectation fails the suite, so a new one cannot be ignored.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AffirmFailure, type AffirmFailureReason } from '#shared/domain/affirm/types.ts';
import { type AffirmResponse, readBody } from '#shared/providers/affirm/client.ts';
import { failureFrom } from '#shared/providers/affirm/errors.ts';
import {
  parseSuccess,
  toCheckoutView,
  toTransaction,
  toTransactionEvent,
} from '#shared/providers/affirm/mapping.ts';
import {
  checkoutWire,
  storeCheckoutResponseWire,
  transactionEventWire,
  transactionWire,
} from '#shared/providers/affirm/schemas.ts';

interface Recording {
  source: string;
  status: number;
  content_type: string;
  /** JSON answers are stored parsed; anything else (the XML 404) as its text. */
  body: unknown;
}

const DIR = fileURLToPath(new URL('../fixtures/affirm/', import.meta.url));

const recorded = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.slice(0, -'.json'.length))
  .sort();

function load(name: string): Recording {
  return JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as Recording;
}

/** The answer as the client hands it to the mapping: the body text read the way the client reads it. */
function answer(recording: Recording): AffirmResponse {
  const text = typeof recording.body === 'string' ? recording.body : JSON.stringify(recording.body);
  return { status: recording.status, body: readBody(text) };
}

function success(recording: Recording): AffirmResponse {
  expect(recording.status).toBe(200);
  return answer(recording);
}

const transaction = (r: Recording) => toTransaction(parseSuccess(transactionWire(), success(r)));
const event = (r: Recording) => toTransactionEvent(parseSuccess(transactionEventWire(), success(r)));

/** A definite refusal with this reason, keeping Affirm's own `type`/`code` for the logs. */
const refusal =
  (reason: AffirmFailureReason, providerCode: string) =>
  (recording: Recording): void => {
    const failure = failureFrom(answer(recording));
    expect(failure).toBeInstanceOf(AffirmFailure);
    expect(failure).toMatchObject({ reason, status: recording.status, providerCode });
  };

const storeCheckout = (checkoutId: string) => (recording: Recording) => {
  const created = parseSuccess(storeCheckoutResponseWire(), success(recording));
  expect(created.checkout_id).toBe(checkoutId);
  expect(created.redirect_url).toBe(
    `https://sandbox.affirm.com/checkout/2BG5HE7ZYT2VY1GH/new/${checkoutId}/`,
  );
};

/** The checkout read carries no checkout_id and answers "unknown": the id is the one asked for. */
const checkoutRead = (recording: Recording) => {
  expect(toCheckoutView('ASKED4CHECKOUT00', parseSuccess(checkoutWire(), success(recording)))).toStrictEqual({
    checkoutId: 'ASKED4CHECKOUT00',
    status: 'unknown',
    orderId: 'R637017522',
    amount: 25000,
    currency: 'USD',
  });
};

const EXPECTATIONS: Record<string, (recording: Recording) => void> = {
  // An unknown path with Basic auth: Affirm's edge answers XML. Nothing of it (it echoes the
  // Authorization header) may reach the failure's message.
  '404_not_found': (recording) => {
    refusal('not_found', 'http_404')(recording);
    const failure = failureFrom(answer(recording)) as AffirmFailure;
    expect(failure.message).toBe('HTTP 404');
  },
  authentication_failed: refusal('credentials', 'api-key-pair-invalid'),
  authorize__already_authorized: refusal('already_authorized', 'already_authorized'),
  authorize__success: (recording) => {
    expect(transaction(recording)).toStrictEqual({
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
  },
  capture__already_captured: refusal('already_captured', 'already_captured'),
  capture__success: (recording) => {
    expect(event(recording)).toStrictEqual({
      id: 'U4ABBRQG5M01JDZ6',
      type: 'capture',
      amount: 25000,
      createdAt: '2020-03-30T13:11:57.000Z',
    });
  },
  checkout_direct__success: storeCheckout('OLBQZ611UBBCDZ28'),
  checkout_store__success: storeCheckout('HEYR6TCV4VBX6NPM'),
  get_checkout__success: checkoutRead,
  get_checkout__success_direct: checkoutRead,
  get_transaction__success: (recording) => {
    expect(transaction(recording)).toStrictEqual({
      id: 'TNUC-ZQP1',
      checkoutId: 'OC3CQ42VRJNI5ZKV',
      status: 'authorized',
      amount: 315945,
      amountRefunded: 0,
      currency: 'USD',
      authorizationExpiresAt: '2020-04-25T14:30:24.000Z',
      events: [],
    });
  },
  get_transaction__success_captured: (recording) => {
    expect(transaction(recording)).toMatchObject({ id: 'DVEP-FTQO', status: 'captured', amount: 25000 });
  },
  // Newest first; `auth` and `void` without amount; `confirm` is not an event the hub acts on.
  get_transaction__success_with_multiple_events: (recording) => {
    expect(transaction(recording)).toStrictEqual({
      id: 'LS-4BSY-SV6E',
      checkoutId: '1EZYMAQDSZPSN7PM',
      status: 'voided',
      amount: 210420,
      amountRefunded: 0,
      currency: 'USD',
      authorizationExpiresAt: '2020-05-09T17:20:43.000Z',
      events: [
        { id: 'LSE-7MZU-P24E', type: 'void', createdAt: '2020-04-13T11:58:48.000Z' },
        { id: 'LSE-CC0X-ZW5I', type: 'auth', createdAt: '2020-04-13T11:51:27.000Z' },
        { id: 'LSE-N2OE-UX2H', type: 'other', createdAt: '2020-04-09T17:22:02.000Z' },
      ],
    });
  },
  refund__already_voided: refusal('not_refundable', 'refund_forbidden_on_voided'),
  refund__not_captured_yet: refusal('not_refundable', 'refund_forbidden_on_authorized'),
  refund__partially_refund_success: (recording) => {
    expect(event(recording)).toStrictEqual({
      id: 'J4TBOU2ZXVGB7IHJ',
      type: 'refund',
      amount: 25000,
      createdAt: '2020-04-13T12:51:28.000Z',
    });
  },
  refund__success: (recording) => {
    expect(event(recording)).toStrictEqual({
      id: 'PM7VIBJBLOPC9YNA',
      type: 'refund',
      amount: 105420,
      createdAt: '2020-04-13T12:34:45.000Z',
    });
  },
  void__already_captured: refusal('not_voidable', 'void_forbidden_on_captured'),
  void__not_authorized: refusal('not_voidable', 'void_forbidden_on_confirmed'),
  void__success: (recording) => {
    expect(event(recording)).toStrictEqual({
      id: 'LSE-7MZU-P24E',
      type: 'void',
      createdAt: '2020-04-13T11:58:48.000Z',
    });
  },
};

describe('recorded Affirm sandbox answers, read by the adapter', () => {
  it('has an expectation for every recording, and a recording for every expectation', () => {
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded).toEqual(Object.keys(EXPECTATIONS).sort());
  });

  it.each(recorded)('reads %s as what it means', (name) => {
    const expectation = EXPECTATIONS[name];
    if (!expectation) throw new Error(`test/fixtures/affirm/${name}.json has no expectation in this test`);
    expectation(load(name));
  });
});
