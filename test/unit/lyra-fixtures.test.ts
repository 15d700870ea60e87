/**
 * Contract test: every real Lyra answer and official example kept in test/fixtures/lyra/ goes
 * through the adapter's reading code, from the raw text on (an envelope as the client reads an
 * HTTP answer; a form post as the verifier reads the raw body), and must be read as what it means.
 * A recording without an expectation fails the suite, so a new one cannot be ignored.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LyraPaymentAnswer } from '#shared/domain/lyra/types.ts';
import { ProviderRefusal } from '#shared/domain/ports.ts';
import { readEnvelope } from '#shared/providers/lyra/client.ts';
import { parseAnswer, readKrAnswer } from '#shared/providers/lyra/mapping.ts';
import { paymentFormWire } from '#shared/providers/lyra/schemas.ts';
import {
  krHashMatches,
  lyraIpnVerifier,
  lyraReturnVerifier,
  readKrForm,
} from '#shared/providers/lyra/verify.ts';

interface Recording {
  source: string;
  status?: number;
  body: Record<string, unknown>;
  hash_check?: { key: string };
}

const DIR = fileURLToPath(new URL('../fixtures/lyra/', import.meta.url));

const recorded = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.slice(0, -'.json'.length))
  .sort();

function load(name: string): Recording {
  return JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as Recording;
}

/** The envelope as the client reads it: HTTP status (the doc example has none: 200) and body text. */
const envelope = (recording: Recording) =>
  readEnvelope(recording.status ?? 200, JSON.stringify(recording.body));

/** The form post exactly as a browser or Lyra sends it: the body's fields, urlencoded. */
const formPost = (recording: Recording) =>
  Buffer.from(new URLSearchParams(recording.body as Record<string, string>).toString());

const NOW = new Date('2026-01-01T00:00:00.000Z');

const formToken = (expected: (token: string) => void) => (recording: Recording) => {
  const { answer } = envelope(recording);
  expected(parseAnswer(paymentFormWire(), answer).formToken);
};

/** A signed post: verified by the route's verifier with its demo key, and its answer read. */
const signedPost =
  (route: 'ipn' | 'return', expected: LyraPaymentAnswer) =>
  async (recording: Recording): Promise<void> => {
    const key = recording.hash_check?.key ?? '';
    const verifier = route === 'ipn' ? lyraIpnVerifier(async () => key) : lyraReturnVerifier(async () => key);
    expect(await verifier.verify({ rawBody: formPost(recording), headers: {}, now: NOW })).toEqual({
      valid: true,
    });
    const form = readKrForm(formPost(recording));
    if (typeof form === 'string') throw new Error(form);
    expect(form.krAnswerType).toBe('V4/Payment');
    expect(readKrAnswer(form.krAnswer)).toStrictEqual(expected);
  };

const browserReturnAnswer: LyraPaymentAnswer = {
  shopId: '69876357',
  orderCycle: 'CLOSED',
  orderStatus: 'PAID',
  serverDate: '2018-12-11T19:03:46.000Z',
  // orderId is null in this answer: absent, not "null".
  orderDetails: { orderTotalAmount: 250, orderCurrency: 'EUR', mode: 'TEST' },
  transactions: [
    {
      uuid: 'c97b7e6f3dbc4c239baf283654f34710',
      amount: 250,
      currency: 'EUR',
      operationType: 'DEBIT',
      status: 'PAID',
      detailedStatus: 'AUTHORISED',
      creationDate: '2018-12-11T19:03:45.000Z',
      brand: 'CB',
    },
  ],
};

const EXPECTATIONS: Record<string, (recording: Recording) => void | Promise<void>> = {
  browser_return__paid__hash_hmac: signedPost('return', browserReturnAnswer),
  // The same answer with JSON-escaped slashes: the same hash, and read as the same answer.
  browser_return__paid__hash_hmac__escaped_slashes: signedPost('return', browserReturnAnswer),
  // HTTP 200 with an ERROR envelope: a definite refusal, the caller's fault. Lyra's
  // detailedErrorMessage (it echoes the input) is not in the message.
  create_payment__error_INT_010_invalid_currency: (recording) => {
    let thrown: unknown;
    try {
      envelope(recording);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProviderRefusal);
    expect(thrown).toMatchObject({ reason: 'invalid_request', providerCode: 'INT_010', status: 200 });
    expect((thrown as Error).message).not.toContain('TTT');
  },
  create_payment__success: formToken((token) => {
    expect(token.startsWith('fdtJCCzEwCSRm43PLaxgDpZw195eyJhbW91bnQiOjEwMCwi')).toBe(true);
    expect(token.length).toBeGreaterThan(1_900);
  }),
  // No serverDate, ticket, mode or serverUrl: still an envelope.
  create_payment__success__doc_example: formToken((token) => expect(token).toBe('DEMO-TOKEN-TO-BE-REPLACED')),
  ipn__paid__hash_password: signedPost('ipn', {
    shopId: '69876357',
    orderCycle: 'CLOSED',
    orderStatus: 'PAID',
    serverDate: '2018-12-11T19:09:32.000Z',
    orderDetails: { orderTotalAmount: 990, orderCurrency: 'EUR', orderId: 'myOrderId-618776', mode: 'TEST' },
    transactions: [
      {
        uuid: '017574bda28e4f1d8413b97fc65c8197',
        amount: 990,
        currency: 'EUR',
        operationType: 'DEBIT',
        status: 'PAID',
        detailedStatus: 'AUTHORISED',
        creationDate: '2018-12-11T19:09:32.000Z',
        brand: 'CB',
      },
    ],
  }),
  // Only the answer, its hash and the key were recorded (no kr-hash-key): the hash matches the
  // escaped answer through the unescaped string, and the answer reads as another shop's payment.
  kr_answer__paid__java_sdk_real_answer: (recording) => {
    const { 'kr-answer': answer, 'kr-hash': hash } = recording.body as {
      'kr-answer': string;
      'kr-hash': string;
    };
    expect(krHashMatches(recording.hash_check?.key ?? '', answer, hash)).toBe(true);
    expect(readKrAnswer(answer)).toStrictEqual({
      shopId: '33148340',
      orderCycle: 'CLOSED',
      orderStatus: 'PAID',
      serverDate: '2018-10-04T06:02:27.000Z',
      orderDetails: {
        orderTotalAmount: 990,
        orderCurrency: 'EUR',
        orderId: 'myOrderId-253795',
        mode: 'TEST',
      },
      transactions: [
        {
          uuid: 'eb9de25234ab49cb848eef844c0f06c4',
          amount: 990,
          currency: 'EUR',
          operationType: 'DEBIT',
          status: 'PAID',
          detailedStatus: 'AUTHORISED',
          creationDate: '2018-10-04T06:02:25.000Z',
          brand: 'CB',
        },
      ],
    });
  },
};

describe('recorded Lyra answers and official examples, read by the adapter', () => {
  it('has an expectation for every recording, and a recording for every expectation', () => {
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded).toEqual(Object.keys(EXPECTATIONS).sort());
  });

  it.each(recorded)('reads %s as what it means', async (name) => {
    const expectation = EXPECTATIONS[name];
    if (!expectation) throw new Error(`test/fixtures/lyra/${name}.json has no expectation in this test`);
    await expectation(load(name));
  });
});
