/**
 * Contract test: every official Snipcart example kept in test/fixtures/snipcart/ goes through the
 * adapter's reading or writing code (a session from the HTTP answer's text on, through the gateway
 * over a scripted fetch) and must be read as what it means. An example without an expectation
 * fails the suite, so a new one cannot be ignored. No recorded real answer exists (README.md).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SnipcartInvoice } from '#shared/domain/snipcart/types.ts';
import { ProviderUnavailableError } from '#shared/errors.ts';
import { createLogger } from '#shared/log.ts';
import { SnipcartClient } from '#shared/providers/snipcart/client.ts';
import { createSnipcartGateway } from '#shared/providers/snipcart/gateway.ts';
import { readPaymentMethodsRequest, readRefundRequest } from '#shared/providers/snipcart/mapping.ts';
import { paymentMethodsAnswerWire, refundAnswerWire } from '#shared/providers/snipcart/schemas.ts';

interface Example {
  source: string;
  request?: { method?: string; path?: string; headers?: Record<string, string> };
  status?: number;
  body: unknown;
  body_raw?: string;
}

const DIR = fileURLToPath(new URL('../fixtures/snipcart/', import.meta.url));

const examples = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.slice(0, -'.json'.length))
  .sort();

function load(name: string): Example {
  return JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as Example;
}

/** A gateway whose fetch answers every call with `text` (HTTP `status`), recording each request. */
function gatewayAnswering(status: number, text: string) {
  const calls: { url: URL; init: RequestInit }[] = [];
  const client = new SnipcartClient({
    paymentBaseUrl: 'https://payment.example.test',
    appBaseUrl: 'https://app.example.test',
    timeoutMs: 1_000,
    credentials: async () => ({ secretKey: 'sim_snipcart_secret', restApiKey: 'rest_key' }),
    log: createLogger({}, () => undefined),
    fetch: async (url, init) => {
      calls.push({ url: new URL(String(url)), init: init ?? {} });
      return new Response(text, { status });
    },
  });
  return { gateway: createSnipcartGateway(client), calls };
}

/** The webhook example's invoice, in minor units: 2 x 79.95 + 10 = 169.90 CAD. */
const WEBHOOK_INVOICE: SnipcartInvoice = {
  amount: 16_990,
  currency: 'CAD',
  email: 'i1p078uft4@powerencry.com',
  language: 'en',
  targetId: '789f6ba9-e033-4b37-a7e5-5829ea596510',
  items: [
    { name: 'Starry Night', type: 'physical', quantity: 2, unitPrice: 7_995, amount: 15_990 },
    { name: 'Livraison', type: 'shipping', quantity: 1, unitPrice: 1_000, amount: 1_000 },
  ],
};

const EXPECTATIONS: Record<string, (example: Example) => void | Promise<void>> = {
  // What the hub posts, field for field, with the transactionId the example leaves out; sent to
  // the example's path with the Bearer secret key.
  confirm_payment__request_failed__doc_example: async (example) => {
    const { gateway, calls } = gatewayAnswering(200, JSON.stringify({ returnUrl: 'https://shop.test/done' }));
    const body = example.body as { paymentSessionId: string; error: { code: string; message: string } };
    await expect(
      gateway.confirmPayment({
        paymentSessionId: body.paymentSessionId,
        state: 'failed',
        transactionId: 'hub-tx-1',
        error: body.error,
      }),
    ).resolves.toEqual({ returnUrl: 'https://shop.test/done' });
    const [call] = calls;
    if (!call) throw new Error('no call');
    expect(call.url.pathname).toBe(example.request?.path);
    expect(call.init.method).toBe(example.request?.method);
    expect((call.init.headers as Record<string, string>).authorization).toBe('Bearer sim_snipcart_secret');
    expect(JSON.parse(String(call.init.body))).toStrictEqual({
      ...(example.body as object),
      transactionId: 'hub-tx-1',
    });
  },
  // The shape the hub answers the cart with: a bare array.
  payment_methods__response__doc_example: (example) => {
    const parsed = paymentMethodsAnswerWire().parse(example.body);
    expect(parsed.map((method) => method.id)).toEqual([
      'snipcart_custom_gatway_1',
      'snipcart_custom_gatway_2',
    ]);
    expect(parsed[1]?.iconUrl).toBe('https://snipcart.com/checkout_gateway_2/icon.png');
  },
  // The published body has no publicToken: the query string's is taken. "Live" is `live`.
  payment_methods_webhook__request__doc_example: (example) => {
    expect(readPaymentMethodsRequest(example.body, 'query-token')).toStrictEqual({
      publicToken: 'query-token',
      mode: 'live',
      invoice: WEBHOOK_INVOICE,
    });
    expect(readPaymentMethodsRequest(example.body)).toBeUndefined();
    // Snipcart's draft: the token in the body (it wins over the query's) and mode "test".
    const draft = { ...(example.body as object), publicToken: '<JWT_TOKEN>', mode: 'test' };
    expect(readPaymentMethodsRequest(draft, 'query-token')).toStrictEqual({
      publicToken: '<JWT_TOKEN>',
      mode: 'test',
      invoice: WEBHOOK_INVOICE,
    });
  },
  // Read from the HTTP answer's text. Its total (409.29) is not the sum of its lines (309.29):
  // read as sent, not refused; the hub charges invoice.amount exactly. The published text, with its
  // trailing comma, is not JSON: an unreadable answer, never guessed at.
  payment_session__doc_example: async (example) => {
    const { gateway, calls } = gatewayAnswering(200, JSON.stringify(example.body));
    const session = await gateway.paymentSession('<SOME_TOKEN>');
    expect(calls[0]?.url.pathname).toBe(example.request?.path);
    expect(calls[0]?.url.searchParams.get('publicToken')).toBe('<SOME_TOKEN>');
    expect(session).toStrictEqual({
      id: 'b2eb036a-842ee242-0d2d-4fad-bc9a-de16411fc6d1',
      paymentAuthorizationRedirectUrl: 'https://example.com#/checkout',
      invoice: {
        amount: 40_929,
        currency: 'USD',
        email: 'john.doe@example.com',
        language: 'en',
        targetId: '226086da-57be-4b92-b950-5fd632be7767',
        items: [
          {
            name: 'Rosy-Fingered Dawn at Louse Point',
            type: 'physical',
            quantity: 1,
            unitPrice: 4_995,
            amount: 4_995,
          },
          { name: 'Starry Night', type: 'physical', quantity: 3, unitPrice: 7_995, amount: 23_985 },
          { name: 'Sales tax', type: 'tax', quantity: 1, unitPrice: 1_949, amount: 1_949 },
          { name: 'FREE SHIPPING OVER 250$', type: 'shipping', quantity: 1, unitPrice: 0, amount: 0 },
        ],
      },
    });
    const lines = session.invoice.items.reduce((sum, item) => sum + item.amount, 0);
    expect(lines).toBe(30_929);
    const raw = gatewayAnswering(200, example.body_raw ?? '');
    await expect(raw.gateway.paymentSession('<SOME_TOKEN>')).rejects.toBeInstanceOf(ProviderUnavailableError);
  },
  // Major units, in the order's currency (the body has none): 20.75 USD is 2075 cents.
  refund_webhook__request__doc_example: (example) => {
    expect(readRefundRequest(example.body, 'usd')).toStrictEqual({
      paymentId: 'd3031d89-e428-4cb8-bf0e-74b883466736',
      amount: 2_075,
    });
    // The same body for an order in yen cannot be 20.75: refused, never rounded.
    expect(readRefundRequest(example.body, 'JPY')).toBeUndefined();
  },
  refund_webhook__response__doc_example: (example) => {
    expect(refundAnswerWire().parse(example.body).refundId).toBe('940bb5bc-13f7-4d02-987f-fad12ab98ebb');
  },
};

describe('official Snipcart examples, read by the adapter', () => {
  it('has an expectation for every example, and an example for every expectation', () => {
    expect(examples.length).toBeGreaterThan(0);
    expect(examples).toEqual(Object.keys(EXPECTATIONS).sort());
  });

  it.each(examples)('reads %s as what it means', async (name) => {
    const expectation = EXPECTATIONS[name];
    if (!expectation) throw new Error(`test/fixtures/snipcart/${name}.json has no expectation in this test`);
    await expectation(load(name));
  });
});
