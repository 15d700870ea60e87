/** Lyra wire <-> domain (shared/providers/lyra/mapping.ts), configuration and hosts, without any network. */

import { afterEach, describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '#shared/errors.ts';
import { lyraConfig, lyraSecret } from '#shared/providers/lyra/config.ts';
import { defaultStaticUrl, LYRA_ENV, lyraScriptUrl } from '#shared/providers/lyra/env.ts';
import {
  isRefused,
  mapOperationType,
  mapOrderStatus,
  mapTransactionStatus,
  readKrAnswer,
  readWriteAnswer,
  toCreatePaymentWire,
} from '#shared/providers/lyra/mapping.ts';

const SHIPMENT = {
  shopId: '12345678',
  uuid: '7b8179b7845e4576868d624039b754c5',
  paymentMethodType: 'CARD',
  paymentMethodToken: null,
  detailedStatus: 'AUTHORISED',
  status: 'PAID',
  amount: 3500,
  currency: 'EUR',
};

const READ = {
  uuid: SHIPMENT.uuid,
  amount: 3500,
  currency: 'EUR',
  operationType: 'other',
  status: 'PAID',
  detailedStatus: 'AUTHORISED',
};

describe("a write's SUCCESS answer, in every documented reading", () => {
  it('reads the transaction itself: seed 003 shows one without operationType', () => {
    expect(readWriteAnswer({ ...SHIPMENT, _type: 'V4/Transaction' })).toEqual({ transaction: READ });
    expect(readWriteAnswer({ ...SHIPMENT, operationType: 'DEBIT', _type: 'V4/PaymentTransaction' })).toEqual({
      transaction: { ...READ, operationType: 'DEBIT' },
    });
  });

  it('reads it nested as `transaction`, or as the one entry of `transactions` that is not the verification', () => {
    expect(readWriteAnswer({ responseCode: 0, transaction: SHIPMENT })).toEqual({ transaction: READ });
    const verification = {
      ...SHIPMENT,
      uuid: 'f183418d08df49f3900bbd74ef837816',
      operationType: 'VERIFICATION',
    };
    expect(
      readWriteAnswer({ transactions: [verification, { ...SHIPMENT, operationType: 'DEBIT' }] }),
    ).toEqual({
      transaction: { ...READ, operationType: 'DEBIT' },
    });
    // Two candidates: which one is the new debit is not known.
    expect(readWriteAnswer({ transactions: [SHIPMENT, { ...SHIPMENT, uuid: 'x' }] })).toEqual({});
  });

  it('reads a ResponseCodeAnswer with code 0 (or none) as a success without the transaction', () => {
    expect(readWriteAnswer({ responseCode: 0, _type: 'V4/Common/ResponseCodeAnswer' })).toEqual({});
    expect(readWriteAnswer({ responseCode: '0' })).toEqual({});
    expect(readWriteAnswer({ _type: 'V4/Common/ResponseCodeAnswer' })).toEqual({});
    expect(readWriteAnswer(null)).toEqual({});
  });

  it('reads another response code as an unknown outcome', () => {
    expect(() => readWriteAnswer({ responseCode: 12, responseCodeDetail: 'x' })).toThrow(
      ProviderUnavailableError,
    );
    expect(() => readWriteAnswer({ responseCode: 'PSP_228' })).toThrow(ProviderUnavailableError);
  });
});

describe('transactions', () => {
  it('keeps string metadata only, whatever shape an empty map comes in', () => {
    const read = (metadata: unknown) => readWriteAnswer({ ...SHIPMENT, metadata }).transaction?.metadata;
    expect(read({ hubOperationId: 'op-1', n: 3 })).toEqual({ hubOperationId: 'op-1' });
    expect(read([])).toBeUndefined();
    expect(read(null)).toBeUndefined();
    expect(read('x')).toBeUndefined();
  });

  it('reads parent, brand and creation date from their nested places, as UTC instants', () => {
    const answer = {
      ...SHIPMENT,
      operationType: 'CREDIT',
      creationDate: '2026-01-05T11:00:01+01:00',
      transactionDetails: { parentTransactionUuid: 'p1', cardDetails: { effectiveBrand: 'VISA' } },
    };
    expect(readWriteAnswer(answer).transaction).toEqual({
      ...READ,
      operationType: 'CREDIT',
      parentTransactionUuid: 'p1',
      brand: 'VISA',
      creationDate: '2026-01-05T10:00:01.000Z',
    });
  });

  it('maps every listed status and type, anything else to `other`', () => {
    expect(['DEBIT', 'CREDIT', 'VERIFICATION', 'REFUND', null].map(mapOperationType)).toEqual([
      'DEBIT',
      'CREDIT',
      'VERIFICATION',
      'other',
      'other',
    ]);
    expect(['PAID', 'RUNNING', 'UNPAID', 'ABANDONED', undefined].map(mapTransactionStatus)).toEqual([
      'PAID',
      'RUNNING',
      'UNPAID',
      'other',
      'other',
    ]);
    expect(['PAID', 'UNPAID', 'RUNNING', 'PARTIALLY_PAID', 'ERROR'].map(mapOrderStatus)).toEqual([
      'PAID',
      'UNPAID',
      'RUNNING',
      'PARTIALLY_PAID',
      'other',
    ]);
  });

  it('takes only REFUSED, ERROR and NOT_CREATED for not carried out', () => {
    const refused = (detailedStatus: string) =>
      isRefused({ ...READ, operationType: 'DEBIT', status: 'UNPAID', detailedStatus });
    expect(['REFUSED', 'ERROR', 'NOT_CREATED'].map(refused)).toEqual([true, true, true]);
    expect(
      ['AUTHORISED', 'CAPTURED', 'CANCELLED', 'EXPIRED', 'WAITING_AUTHORISATION', ''].map(refused),
    ).toEqual([false, false, false, false, false, false]);
  });
});

describe('the kr-answer', () => {
  it('reads an IPN of the initial VERIFICATION transaction (payment on shipment)', () => {
    const answer = JSON.stringify({
      shopId: '69876357',
      orderCycle: 'CLOSED',
      orderStatus: 'PAID',
      serverDate: '2026-01-05T10:00:00+00:00',
      orderDetails: {
        orderTotalAmount: 7412,
        orderEffectiveAmount: 7412,
        orderCurrency: 'EUR',
        mode: 'TEST',
        orderId: 'order-lyra-1',
        metadata: [],
      },
      transactions: [
        {
          uuid: 'f183418d08df49f3900bbd74ef837816',
          amount: 7412,
          currency: 'EUR',
          status: 'PAID',
          detailedStatus: 'ACCEPTED',
          operationType: 'VERIFICATION',
          metadata: null,
          transactionDetails: {
            useCase: 'SHIPMENT_MULTIPLE_AUTHORISATION',
            cardDetails: { effectiveBrand: 'CB' },
            parentTransactionUuid: null,
          },
        },
      ],
    });
    expect(readKrAnswer(answer)).toStrictEqual({
      shopId: '69876357',
      orderCycle: 'CLOSED',
      orderStatus: 'PAID',
      serverDate: '2026-01-05T10:00:00.000Z',
      orderDetails: {
        orderTotalAmount: 7412,
        orderEffectiveAmount: 7412,
        orderCurrency: 'EUR',
        orderId: 'order-lyra-1',
        mode: 'TEST',
      },
      transactions: [
        {
          uuid: 'f183418d08df49f3900bbd74ef837816',
          amount: 7412,
          currency: 'EUR',
          operationType: 'VERIFICATION',
          status: 'PAID',
          detailedStatus: 'ACCEPTED',
          brand: 'CB',
        },
      ],
    });
  });

  it('reads nothing from what is not a V4/Payment', () => {
    expect(readKrAnswer('not json')).toBeUndefined();
    expect(readKrAnswer('{"shopId":"1"}')).toBeUndefined();
    const badDate = {
      shopId: '1',
      orderCycle: 'OPEN',
      orderStatus: 'RUNNING',
      serverDate: 'soon',
      transactions: [],
    };
    expect(
      readKrAnswer(
        JSON.stringify({ ...badDate, orderDetails: { orderTotalAmount: 1, orderCurrency: 'EUR' } }),
      ),
    ).toBeUndefined();
  });
});

describe('CreatePayment', () => {
  it('asks for a payment on shipment with 3-D Secure as Lyra decides, sending only the fields given', () => {
    expect(
      toCreatePaymentWire({
        orderId: 'order-lyra-1',
        amount: 7412,
        currency: 'EUR',
        customer: { email: 'sample@example.com', firstName: 'Zoé', phoneNumber: '+33600000000' },
        ipnTargetUrl: 'https://hub.example/v1/lyra/ipn',
        metadata: { hubOrderId: 'order-lyra-1' },
      }),
    ).toStrictEqual({
      amount: 7412,
      currency: 'EUR',
      orderId: 'order-lyra-1',
      customer: {
        email: 'sample@example.com',
        billingDetails: { firstName: 'Zoé', phoneNumber: '+33600000000' },
      },
      formAction: 'PAYMENT',
      useCase: 'SHIPMENT_MULTIPLE_AUTHORISATION',
      ipnTargetUrl: 'https://hub.example/v1/lyra/ipn',
      metadata: { hubOrderId: 'order-lyra-1' },
      strongAuthentication: 'AUTO',
    });
    expect(
      toCreatePaymentWire({
        orderId: 'o',
        amount: 1,
        currency: 'JPY',
        customer: {},
        ipnTargetUrl: 'https://h/ipn',
      }).customer,
    ).toStrictEqual({});
  });
});

describe('configuration', () => {
  afterEach(() => {
    for (const name of Object.values(LYRA_ENV)) delete process.env[name];
  });

  it("finds each brand's JavaScript host from its API host", () => {
    expect(defaultStaticUrl('https://api.payzen.eu')).toBe('https://static.payzen.eu');
    expect(defaultStaticUrl('https://api.payzen.lat/')).toBe('https://static.payzen.lat');
    expect(defaultStaticUrl('https://api.micuentaweb.pe')).toBe('https://static.micuentaweb.pe');
    expect(defaultStaticUrl('https://api.systempay.fr')).toBe('https://api.systempay.fr');
    expect(defaultStaticUrl('http://127.0.0.1:4020')).toBe('http://127.0.0.1:4020');
    expect(lyraScriptUrl('https://static.payzen.eu')).toBe(
      'https://static.payzen.eu/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js',
    );
  });

  it('reads the shop keys, refusing a shop id that cannot be a Basic user', () => {
    const keys = {
      shopId: '69876357',
      restPassword: 'testpassword_SIM',
      hmacKey: 'testhmac_SIM',
      publicKey: '69876357:testpublickey_SIM',
    };
    expect(lyraSecret().parse(keys)).toEqual(keys);
    expect(lyraSecret().safeParse({ ...keys, shopId: '6987:6357' }).success).toBe(false);
    expect(lyraSecret().safeParse({ ...keys, hmacKey: '' }).success).toBe(false);
  });

  it('takes any brand by configuration, its JavaScript host derived', () => {
    process.env[LYRA_ENV.secretId] = 'lyra-secret';
    process.env[LYRA_ENV.baseUrl] = 'https://api.systempay.fr/';
    const config = lyraConfig();
    expect(config).toEqual({
      baseUrl: 'https://api.systempay.fr',
      staticUrl: 'https://api.systempay.fr',
      secretId: 'lyra-secret',
      timeoutMs: 10_000,
    });
  });
});
