/**
 * The Lyra simulator's V4 services (providers/lyra.md §2-5), over HTTP, against a simulator this file
 * starts with the local stack's keys: the envelope against the recorded answers
 * (test/fixtures/lyra/), Basic auth, validation, and the payment-on-shipment state machine.
 */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LyraSimulator } from '../../infra/local/simulators/lyra/server.ts';
import {
  ACCEPTED_CARD,
  authorizedPayment,
  controlPay,
  type Envelope,
  LYRA_KEYS,
  lyraCall,
  REFUSED_CARD,
  SHIPMENT,
  startLyra,
} from '../support/lyra-sim.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/lyra/${name}.json`, import.meta.url), 'utf8')) as {
    body: Envelope;
  };

let simulator: LyraSimulator;
beforeAll(async () => {
  simulator = await startLyra({ currencies: ['EUR', 'JPY'] });
});
afterAll(() => simulator?.close());

const call = (service: string, body: unknown) => lyraCall(simulator.url, service, body);
const answerOf = async (service: string, body: unknown) => (await call(service, body)).envelope.answer;
const errorOf = async (service: string, body: unknown) => {
  const { status, envelope } = await call(service, body);
  expect(status).toBe(200);
  expect(envelope.status).toBe('ERROR');
  return envelope.answer.errorCode as string;
};
const createPayment = (body: Record<string, unknown>) =>
  call('Charge/CreatePayment', { amount: 7412, currency: 'EUR', useCase: SHIPMENT, ...body });
const ship = (uuid: string, amount: number, extra: Record<string, unknown> = {}) =>
  call('Charge/CreateShipmentTransaction', { uuid, amount, ...extra });

const SERVER_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

describe('the V4 envelope, against the recorded answers', () => {
  it('answers CreatePayment with the recorded keys, in order, plus mode and serverUrl, and an opaque long token', async () => {
    const recorded = fixture('create_payment__success').body;
    const { status, envelope } = await createPayment({});
    expect(status).toBe(200);
    expect(Object.keys(envelope).filter((key) => key !== 'mode' && key !== 'serverUrl')).toEqual(
      Object.keys(recorded),
    );
    expect(Object.keys(envelope.answer)).toEqual(Object.keys(recorded.answer));
    expect(envelope).toMatchObject({
      webService: 'Charge/CreatePayment',
      version: 'V4',
      status: 'SUCCESS',
      ticket: null,
      applicationProvider: 'PAYZEN',
      metadata: null,
      mode: 'TEST',
      serverUrl: simulator.url,
      _type: 'V4/WebService/Response',
      answer: { _type: 'V4/Charge/PaymentForm' },
    });
    expect(envelope.serverDate).toMatch(SERVER_DATE);
    expect(recorded.serverDate).toMatch(SERVER_DATE);
    expect(envelope.answer.formToken).toMatch(/^[A-Za-z0-9_-]{500,}$/);
  });

  it('answers an unknown currency exactly as recorded (INT_010, ticket "null" in the answer)', async () => {
    const recorded = fixture('create_payment__error_INT_010_invalid_currency').body;
    const { envelope } = await call('Charge/CreatePayment', { amount: 100, currency: 'TTT' });
    expect(Object.keys(envelope).filter((key) => key !== 'mode' && key !== 'serverUrl')).toEqual(
      Object.keys(recorded),
    );
    expect(envelope.status).toBe('ERROR');
    expect(envelope.answer).toEqual(recorded.answer);
  });
});

describe('authentication', () => {
  it('refuses a wrong REST password, another shop id, or no credentials with INT_905 in an HTTP 200 envelope', async () => {
    const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
    for (const authorization of [
      basic(`${LYRA_KEYS.shopId}:testpassword_WRONG`),
      basic(`12345678:${LYRA_KEYS.restPassword}`),
      `Bearer ${LYRA_KEYS.restPassword}`,
      null,
    ]) {
      const { status, envelope } = await lyraCall(
        simulator.url,
        'Charge/CreatePayment',
        { amount: 100, currency: 'EUR' },
        authorization,
      );
      expect(status, String(authorization)).toBe(200);
      expect(envelope).toMatchObject({
        webService: 'Charge/CreatePayment',
        status: 'ERROR',
        answer: { errorCode: 'INT_905', _type: 'V4/WebService/WebServiceError' },
      });
    }
    const before = simulator.state.payments.size;
    await lyraCall(simulator.url, 'Charge/CreatePayment', { amount: 100, currency: 'EUR' }, null);
    expect(simulator.state.payments.size).toBe(before);
  });

  it('masks the Authorization header in the requests log', async () => {
    await call('Transaction/Get', { uuid: 'none' });
    const logged = simulator.requests.at(-1);
    expect(logged?.headers.authorization).toBe('Basic ***');
  });
});

describe('Charge/CreatePayment validation', () => {
  it.each([
    ['INT_009', { amount: 0 }],
    ['INT_009', { amount: -5 }],
    ['INT_009', { amount: 10.5 }],
    ['INT_009', { amount: '7412' }],
    ['INT_009', { amount: undefined }],
    ['INT_010', { currency: 'eur' }],
    ['INT_010', { currency: 'EURO' }],
    ['INT_010', { currency: undefined }],
    ['PSP_606', { currency: 'USD' }],
    ['INT_050', { strongAuthentication: 'SOMETIMES' }],
    ['INT_804', { useCase: 'RECURRING' }],
    ['INT_926', { ipnTargetUrl: 'not a url' }],
    ['INT_926', { ipnTargetUrl: 'ftp://hub.example/ipn' }],
    ['INT_013', { orderId: 'x'.repeat(65) }],
    ['INT_015', { customer: { email: 'not-an-email' } }],
    ['INT_091', { metadata: { n: 1 } }],
    ['INT_875', { formAction: 'REGISTER_PAY' }],
    ['INT_900', { usecase: SHIPMENT }],
  ])('%s for %j', async (code, change) => {
    const { envelope } = await createPayment(change);
    expect(envelope.status).toBe('ERROR');
    expect(envelope.answer.errorCode).toBe(code);
  });

  it('accepts every documented strongAuthentication value and a currency the shop takes', async () => {
    for (const value of [
      'AUTO',
      'ENABLED',
      'DISABLED',
      'CHALLENGE_REQUESTED',
      'CHALLENGE_MANDATE',
      'NO_PREFERENCE',
    ])
      expect((await createPayment({ strongAuthentication: value })).envelope.status, value).toBe('SUCCESS');
    expect((await createPayment({ currency: 'JPY', amount: 7412 })).envelope.status).toBe('SUCCESS');
  });

  it('keeps ipnTargetUrl and metadata for the payment', async () => {
    const { envelope } = await createPayment({
      ipnTargetUrl: 'https://hub.example/v1/lyra/ipn',
      metadata: { hubOrderId: 'o-1' },
    });
    const payment = simulator.state.payments.get(envelope.answer.formToken);
    expect(payment).toMatchObject({
      ipnTargetUrl: 'https://hub.example/v1/lyra/ipn',
      metadata: { hubOrderId: 'o-1' },
      useCase: SHIPMENT,
      status: 'created',
    });
  });

  it('answers INT_902 for a body that is not JSON and INT_901 for an unknown service', async () => {
    expect(await errorOf('Charge/CreatePayment', '{"amount": 12')).toBe('INT_902');
    const { envelope } = await call('Charge/CreateMagic', {});
    expect(envelope).toMatchObject({
      webService: 'Charge/CreateMagic',
      status: 'ERROR',
      answer: { errorCode: 'INT_901' },
    });
  });
});

describe('payment on shipment', () => {
  it('debits each shipment as a DEBIT child of the initial VERIFICATION, up to the authorized amount', async () => {
    const { uuid, answer } = await authorizedPayment(simulator.url, { orderId: 'myOrder-1234-initial' });
    expect(answer.transactions[0]).toMatchObject({
      operationType: 'VERIFICATION',
      detailedStatus: 'ACCEPTED',
    });

    const shipments: Envelope[] = [];
    for (const [amount, operation] of [
      [3500, 'op-1'],
      [2500, 'op-2'],
      [1412, 'op-3'],
    ] as const) {
      const { envelope } = await ship(uuid, amount, { metadata: { hubOperationId: operation } });
      expect(envelope).toMatchObject({ webService: 'Charge/CreateShipmentTransaction', status: 'SUCCESS' });
      shipments.push(envelope.answer);
    }
    for (const [i, shipment] of shipments.entries()) {
      expect(shipment).toMatchObject({
        _type: 'V4/Transaction',
        shopId: LYRA_KEYS.shopId,
        amount: [3500, 2500, 1412][i],
        currency: 'EUR',
        operationType: 'DEBIT',
        status: 'PAID',
        detailedStatus: 'AUTHORISED',
        metadata: { hubOperationId: `op-${i + 1}` },
        orderDetails: { orderId: 'myOrder-1234-initial' },
        transactionDetails: {
          parentTransactionUuid: uuid,
          cardDetails: { effectiveBrand: 'CB', pan: '497010XXXXXX0055' },
        },
      });
      expect(shipment.uuid).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(new Set(shipments.map((s) => s.uuid)).size).toBe(3);

    // All 7412 are shipped: one cent more is over the authorization.
    expect(await errorOf('Charge/CreateShipmentTransaction', { uuid, amount: 1 })).toBe('PSP_546');

    const initial = await answerOf('Transaction/Get', { uuid });
    expect(initial).toMatchObject({
      _type: 'V4/Transaction',
      uuid,
      amount: 7412,
      operationType: 'VERIFICATION',
      status: 'PAID',
      detailedStatus: 'ACCEPTED',
      transactionDetails: { useCase: SHIPMENT },
    });

    const order = await answerOf('Order/Get', { orderId: 'myOrder-1234-initial' });
    expect(order._type).toBe('V4/OrderTransactions');
    expect(order.transactions.map((t: Envelope) => [t.operationType, t.amount])).toEqual([
      ['VERIFICATION', 7412],
      ['DEBIT', 3500],
      ['DEBIT', 2500],
      ['DEBIT', 1412],
    ]);
    const debits = await answerOf('Order/Get', { orderId: 'myOrder-1234-initial', operationType: 'DEBIT' });
    expect(debits.transactions).toHaveLength(3);
  });

  it('refuses a shipment over what is left to ship with PSP_546, and takes exactly the rest', async () => {
    const { uuid } = await authorizedPayment(simulator.url);
    expect((await ship(uuid, 7000, { metadata: { op: 'a' } })).envelope.status).toBe('SUCCESS');
    expect(
      await errorOf('Charge/CreateShipmentTransaction', { uuid, amount: 500, metadata: { op: 'b' } }),
    ).toBe('PSP_546');
    expect(await errorOf('Charge/CreateShipmentTransaction', { uuid, amount: 7413 })).toBe('PSP_546');
    expect((await ship(uuid, 412, { metadata: { op: 'c' } })).envelope.status).toBe('SUCCESS');
  });

  it('refuses a duplicate (same amount, orderId and metadata) with PSP_236, and takes the same amount for another operation', async () => {
    const { uuid } = await authorizedPayment(simulator.url);
    expect((await ship(uuid, 1000, { metadata: { hubOperationId: 'op-1' } })).envelope.status).toBe(
      'SUCCESS',
    );
    expect(
      await errorOf('Charge/CreateShipmentTransaction', {
        uuid,
        amount: 1000,
        metadata: { hubOperationId: 'op-1' },
      }),
    ).toBe('PSP_236');
    expect((await ship(uuid, 1000, { metadata: { hubOperationId: 'op-2' } })).envelope.status).toBe(
      'SUCCESS',
    );
    expect(
      (await ship(uuid, 1000, { orderId: 'other-order', metadata: { hubOperationId: 'op-1' } })).envelope
        .status,
    ).toBe('SUCCESS');
    expect((await ship(uuid, 700)).envelope.status).toBe('SUCCESS');
    expect(await errorOf('Charge/CreateShipmentTransaction', { uuid, amount: 700 })).toBe('PSP_236');
  });

  it('refuses shipments on what is not an accepted initial transaction', async () => {
    expect(await errorOf('Charge/CreateShipmentTransaction', { uuid: '0'.repeat(32), amount: 100 })).toBe(
      'PSP_010',
    );

    const refused = await createPayment({});
    const paid = await controlPay(simulator.url, refused.envelope.answer.formToken, { card: REFUSED_CARD });
    const refusedUuid = JSON.parse(paid.body['kr-answer'] ?? '{}').transactions[0].uuid;
    expect(await errorOf('Charge/CreateShipmentTransaction', { uuid: refusedUuid, amount: 100 })).toBe(
      'PSP_229',
    );

    const plain = await call('Charge/CreatePayment', { amount: 1000, currency: 'EUR' });
    const plainPaid = await controlPay(simulator.url, plain.envelope.answer.formToken, {
      card: ACCEPTED_CARD,
    });
    const debit = JSON.parse(plainPaid.body['kr-answer'] ?? '{}').transactions[0];
    expect(debit).toMatchObject({ operationType: 'DEBIT', detailedStatus: 'AUTHORISED' });
    expect(await errorOf('Charge/CreateShipmentTransaction', { uuid: debit.uuid, amount: 100 })).toBe(
      'PSP_229',
    );

    const { uuid } = await authorizedPayment(simulator.url);
    const invalid: [string, Record<string, unknown>][] = [
      ['INT_009', { amount: 0 }],
      ['INT_010', { currency: 'JPY' }],
      ['INT_010', { currency: 'eur' }],
      ['INT_902', { uuid: undefined }],
      ['INT_900', { amout: 100 }],
    ];
    for (const [code, change] of invalid)
      expect(await errorOf('Charge/CreateShipmentTransaction', { uuid, amount: 100, ...change }), code).toBe(
        code,
      );
  });

  it('cancels an initial without shipment (no shipment afterwards), never one with a shipment (PSP_231)', async () => {
    const lone = await authorizedPayment(simulator.url);
    const cancelled = await answerOf('Transaction/Cancel', { uuid: lone.uuid });
    expect(cancelled).toMatchObject({ uuid: lone.uuid, status: 'UNPAID', detailedStatus: 'CANCELLED' });
    expect(await errorOf('Transaction/Cancel', { uuid: lone.uuid })).toBe('PSP_105');
    expect(await errorOf('Charge/CreateShipmentTransaction', { uuid: lone.uuid, amount: 100 })).toBe(
      'PSP_229',
    );

    const shipped = await authorizedPayment(simulator.url);
    await ship(shipped.uuid, 1000);
    expect(await errorOf('Transaction/Cancel', { uuid: shipped.uuid })).toBe('PSP_231');
    expect(await answerOf('Transaction/Get', { uuid: shipped.uuid })).toMatchObject({
      detailedStatus: 'ACCEPTED',
    });
  });

  it('cancels a shipment never refunded, which gives its amount back to what may be shipped', async () => {
    const { uuid } = await authorizedPayment(simulator.url);
    const shipment = (await ship(uuid, 7412)).envelope.answer;
    expect(await answerOf('Transaction/Cancel', { uuid: shipment.uuid })).toMatchObject({
      operationType: 'DEBIT',
      detailedStatus: 'CANCELLED',
      status: 'UNPAID',
    });
    expect((await ship(uuid, 7412)).envelope.status).toBe('SUCCESS');
    expect(await errorOf('Transaction/CancelOrRefund', { uuid: shipment.uuid, amount: 100 })).toBe('PSP_011');
  });
});

describe('refunds (Transaction/CancelOrRefund)', () => {
  it('refunds a shipment with CREDIT children, never above what it debited, in either resolution mode', async () => {
    const { uuid } = await authorizedPayment(simulator.url);
    const debit = (await ship(uuid, 3500)).envelope.answer;

    const first = await call('Transaction/CancelOrRefund', {
      uuid: debit.uuid,
      amount: 1000,
      currency: 'EUR',
      resolutionMode: 'REFUND_ONLY',
      comment: 'damaged',
    });
    expect(first.envelope).toMatchObject({ webService: 'Transaction/CancelOrRefund', status: 'SUCCESS' });
    expect(first.envelope.answer).toMatchObject({
      _type: 'V4/Transaction',
      operationType: 'CREDIT',
      amount: 1000,
      currency: 'EUR',
      status: 'PAID',
      detailedStatus: 'AUTHORISED',
      comment: 'damaged',
      transactionDetails: { parentTransactionUuid: debit.uuid },
    });

    expect(
      await errorOf('Transaction/CancelOrRefund', {
        uuid: debit.uuid,
        amount: 3501,
        currency: 'EUR',
        resolutionMode: 'AUTO',
      }),
    ).toBe('PSP_510');
    expect(
      await errorOf('Transaction/CancelOrRefund', { uuid: debit.uuid, amount: 2501, resolutionMode: 'AUTO' }),
    ).toBe('PSP_511');
    const rest = await answerOf('Transaction/CancelOrRefund', { uuid: debit.uuid, resolutionMode: 'AUTO' });
    expect(rest).toMatchObject({ operationType: 'CREDIT', amount: 2500 });
    expect(await errorOf('Transaction/CancelOrRefund', { uuid: debit.uuid, amount: 1 })).toBe('PSP_511');

    const read = await answerOf('Transaction/Get', { uuid: debit.uuid });
    expect(read).toMatchObject({
      detailedStatus: 'AUTHORISED',
      transactionDetails: { cardDetails: { captureResponse: { refundAmount: 3500, refundCurrency: 'EUR' } } },
    });
    // A refund gives nothing back to what may be shipped (only a cancellation does).
    expect(await errorOf('Charge/CreateShipmentTransaction', { uuid, amount: 3913 })).toBe('PSP_546');
  });

  it('refuses to refund the initial transaction (PSP_231), an unknown one (PSP_010), and bad parameters', async () => {
    const { uuid } = await authorizedPayment(simulator.url);
    const debit = (await ship(uuid, 1000)).envelope.answer;
    expect(await errorOf('Transaction/CancelOrRefund', { uuid, amount: 100 })).toBe('PSP_231');
    expect(await errorOf('Transaction/CancelOrRefund', { uuid: 'f'.repeat(32), amount: 100 })).toBe(
      'PSP_010',
    );
    expect(
      await errorOf('Transaction/CancelOrRefund', { uuid: debit.uuid, amount: 100, currency: 'JPY' }),
    ).toBe('INT_010');
    expect(await errorOf('Transaction/CancelOrRefund', { uuid: debit.uuid, amount: -1 })).toBe('INT_009');
    expect(
      await errorOf('Transaction/CancelOrRefund', { uuid: debit.uuid, resolutionMode: 'CANCEL_ONLY' }),
    ).toBe('INT_902');
  });
});

describe('reads', () => {
  it('answers PSP_010 for an unknown transaction and an empty list for an unknown order', async () => {
    expect(await errorOf('Transaction/Get', { uuid: 'a'.repeat(32) })).toBe('PSP_010');
    expect(await answerOf('Order/Get', { orderId: 'never-created' })).toEqual({
      transactions: [],
      _type: 'V4/OrderTransactions',
    });
    expect(await errorOf('Order/Get', {})).toBe('INT_013');
  });
});

describe('the 180 days of an initial transaction', () => {
  it('takes shipments until 180 days after the payment, then reads EXPIRED and refuses them (PSP_229)', async () => {
    // A simulator of its own: its clock moves 180 days.
    const own = await startLyra();
    try {
      const { uuid } = await authorizedPayment(own.url);
      const advance = (days: number) =>
        fetch(`${own.url}/__control/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ advanceSeconds: days * 86_400 }),
        });
      await advance(179);
      const late = await lyraCall(own.url, 'Charge/CreateShipmentTransaction', { uuid, amount: 1000 });
      expect(late.envelope.status).toBe('SUCCESS');
      await advance(1);
      const expired = await lyraCall(own.url, 'Charge/CreateShipmentTransaction', {
        uuid,
        amount: 1000,
        orderId: 'x',
      });
      expect(expired.envelope.answer).toMatchObject({
        errorCode: 'PSP_229',
        detailedErrorMessage: expect.stringContaining('expired'),
      });
      const read = await lyraCall(own.url, 'Transaction/Get', { uuid });
      expect(read.envelope.answer).toMatchObject({ status: 'UNPAID', detailedStatus: 'EXPIRED' });
    } finally {
      await own.close();
    }
  });
});

describe('the common frame', () => {
  const faultOnEveryService = (fault: Record<string, unknown>) =>
    fetch(`${simulator.url}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match: 'POST /api-payment/V4/{namespace}/{service}', ...fault }),
    });

  it('answers a status fault with an ERROR envelope and applies nothing', async () => {
    await faultOnEveryService({ mode: 'status', status: 503 });
    const before = simulator.state.payments.size;
    const { status, envelope } = await createPayment({});
    expect(status).toBe(503);
    expect(envelope).toMatchObject({ status: 'ERROR', answer: { errorCode: 'PSP_999' } });
    expect(simulator.state.payments.size).toBe(before);
    expect((await createPayment({})).envelope.status).toBe('SUCCESS');
  });

  it('lets `skip` matching requests through, then answers the fault with the `code` asked', async () => {
    await faultOnEveryService({ mode: 'status', status: 200, code: 'PSP_231', skip: 2 });
    const before = simulator.state.payments.size;
    expect((await createPayment({})).envelope.status).toBe('SUCCESS');
    expect((await createPayment({})).envelope.status).toBe('SUCCESS');
    const faulted = await createPayment({});
    expect(faulted.status).toBe(200);
    expect(faulted.envelope).toMatchObject({ status: 'ERROR', answer: { errorCode: 'PSP_231' } });
    expect(simulator.state.payments.size).toBe(before + 2);
    expect((await createPayment({})).envelope.status).toBe('SUCCESS');
  });
});
