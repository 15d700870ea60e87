/**
 * The Snipcart client and gateway without any network: a scripted fetch answers each call. The
 * wire of each call (host, path, auth), what each status means per call (an outage is never
 * "valid"), the retry policy (reads retried, the confirmation only when it never left), and that
 * no token or key reaches a log line.
 */

import { describe, expect, it } from 'vitest';
import { ProviderRefusal } from '#shared/domain/ports.ts';
import type { SnipcartConfirmation } from '#shared/domain/snipcart/types.ts';
import { ProviderUnavailableError } from '#shared/errors.ts';
import { problemFor } from '#shared/http/problem.ts';
import { createLogger } from '#shared/log.ts';
import { SnipcartClient } from '#shared/providers/snipcart/client.ts';
import { createSnipcartGateway } from '#shared/providers/snipcart/gateway.ts';
import { rejection } from '../support/rejection.ts';

const PUBLIC_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzZXNzaW9uIjoiMSJ9.c2lnbmF0dXJl';
const REQUEST_TOKEN = '8d1b3c2a-public-request-token';
const SECRET_KEY = 'sim_snipcart_secret';
const REST_KEY = 'ST_rest_secret_key';

/** What fetch throws on a lost connection: a TypeError whose cause carries the socket's code. */
function fetchFailed(code: string) {
  return Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('socket'), { code }),
  });
}
const timedOut = () => new DOMException('aborted', 'TimeoutError');

type Step = Error | { status: number; body?: unknown; text?: string };

/** A gateway whose fetch plays `steps` in order, recording each request and each log line. */
function scripted(steps: Step[]) {
  const calls: { url: URL; init: RequestInit }[] = [];
  const lines: string[] = [];
  let rejected = 0;
  const client = new SnipcartClient({
    paymentBaseUrl: 'https://payment.example.test',
    appBaseUrl: 'https://app.example.test',
    timeoutMs: 1_000,
    credentials: async () => ({ secretKey: SECRET_KEY, restApiKey: REST_KEY }),
    onCredentialsRejected: () => {
      rejected += 1;
    },
    log: createLogger({}, (line) => lines.push(line)),
    fetch: async (url, init) => {
      calls.push({ url: new URL(String(url)), init: init ?? {} });
      const step = steps.shift();
      if (!step) throw new Error('no more scripted answers');
      if (step instanceof Error) throw step;
      const text = step.text ?? (step.body === undefined ? '' : JSON.stringify(step.body));
      return new Response(text === '' ? null : text, { status: step.status });
    },
  });
  return { gateway: createSnipcartGateway(client), calls, lines, rejected: () => rejected };
}

const headersOf = (init: RequestInit) => init.headers as Record<string, string>;

const SESSION = {
  id: '5e921d3b-8756-4fd0-87e9-c72f946535ed',
  paymentAuthorizationRedirectUrl: 'https://shop.test/#/checkout',
  state: 'Created',
  availablePaymentMethods: [{ id: 'hub', flow: 'Redirect', name: 'Card', checkoutUrl: 'https://hub.test' }],
  invoice: { amount: 599.8, currency: 'eur', email: 'jane@example.com', items: [], plan: null },
};

const CONFIRMATION: SnipcartConfirmation = {
  paymentSessionId: SESSION.id,
  state: 'processed',
  transactionId: 'hub-order-1',
  refundsUrl: 'https://hub.test/v1/snipcart/refunds/order-1?secret=per-order-secret',
};

const RETURNED = { status: 200, body: { returnUrl: 'https://app.snipcart.com/return/abc' } };

describe('validatePublicToken', () => {
  it('GETs validate on the payment host with the token in the query, and no key', async () => {
    const { gateway, calls } = scripted([{ status: 200 }]);
    await expect(gateway.validatePublicToken(PUBLIC_TOKEN)).resolves.toBe(true);
    const [call] = calls;
    expect(call?.url.origin).toBe('https://payment.example.test');
    expect(call?.url.pathname).toBe('/api/public/custom-payment-gateway/validate');
    expect(call?.url.searchParams.get('publicToken')).toBe(PUBLIC_TOKEN);
    expect(call?.init.method).toBe('GET');
    expect(headersOf(call?.init ?? {}).authorization).toBeUndefined();
  });

  it.each([200, 204, 299])('reads HTTP %i, whatever the body, as genuine', async (status) => {
    await expect(
      scripted([{ status, text: status === 204 ? '' : 'anything' }]).gateway.validatePublicToken(
        PUBLIC_TOKEN,
      ),
    ).resolves.toBe(true);
  });

  it.each([400, 401, 403, 404, 410])('reads HTTP %i as not genuine', async (status) => {
    await expect(scripted([{ status }]).gateway.validatePublicToken(PUBLIC_TOKEN)).resolves.toBe(false);
  });

  it.each<[string, Step[]]>([
    ['two 503s', [{ status: 503 }, { status: 503 }]],
    ['two timeouts', [timedOut(), timedOut()]],
    ['a 429', [{ status: 429 }]],
    ['a 408', [{ status: 408 }]],
    ['a redirect', [{ status: 302 }]],
  ])('never reads an outage (%s) as genuine, nor as forged', async (_what, steps) => {
    const failure = await rejection(scripted(steps).gateway.validatePublicToken(PUBLIC_TOKEN));
    expect(failure).toBeInstanceOf(ProviderUnavailableError);
  });

  it('asks again once after a reset or a 5xx (a read)', async () => {
    const reset = scripted([fetchFailed('ECONNRESET'), { status: 200 }]);
    await expect(reset.gateway.validatePublicToken(PUBLIC_TOKEN)).resolves.toBe(true);
    expect(reset.calls).toHaveLength(2);
    const down = scripted([{ status: 502 }, { status: 404 }]);
    await expect(down.gateway.validatePublicToken(PUBLIC_TOKEN)).resolves.toBe(false);
    expect(down.calls).toHaveLength(2);
  });

  it('refuses a token that cannot be Snipcart’s without asking', async () => {
    const { gateway, calls } = scripted([]);
    for (const token of ['', 'has space', 'x'.repeat(4_097), 'new\nline']) {
      await expect(gateway.validatePublicToken(token)).resolves.toBe(false);
    }
    expect(calls).toHaveLength(0);
  });
});

describe('paymentSession', () => {
  it('GETs payment-session with the token and reads it, ignoring unknown fields', async () => {
    const { gateway, calls } = scripted([{ status: 200, body: SESSION }]);
    await expect(gateway.paymentSession(PUBLIC_TOKEN)).resolves.toStrictEqual({
      id: SESSION.id,
      paymentAuthorizationRedirectUrl: 'https://shop.test/#/checkout',
      invoice: { amount: 59_980, currency: 'EUR', email: 'jane@example.com', items: [] },
    });
    expect(calls[0]?.url.pathname).toBe('/api/public/custom-payment-gateway/payment-session');
    expect(calls[0]?.url.searchParams.get('publicToken')).toBe(PUBLIC_TOKEN);
    expect(headersOf(calls[0]?.init ?? {}).authorization).toBeUndefined();
  });

  it.each([400, 401, 403, 404])('reads HTTP %i as a session Snipcart does not know', async (status) => {
    const failure = await rejection(scripted([{ status }]).gateway.paymentSession(PUBLIC_TOKEN));
    expect(failure).toBeInstanceOf(ProviderRefusal);
    expect(failure).toMatchObject({ reason: 'not_found', providerCode: `http_${status}`, status });
  });

  it.each<[string, Step]>([
    ['not JSON', { status: 200, text: '<html>' }],
    ['without an id', { status: 200, body: { invoice: SESSION.invoice } }],
    [
      'with a string amount',
      { status: 200, body: { ...SESSION, invoice: { ...SESSION.invoice, amount: '599.80' } } },
    ],
  ])('reads a 2xx answer %s as an unknown outcome', async (_what, step) => {
    expect(await rejection(scripted([step]).gateway.paymentSession(PUBLIC_TOKEN))).toBeInstanceOf(
      ProviderUnavailableError,
    );
  });

  it('refuses, as a definite answer, a session whose amount cannot be charged exactly', async () => {
    for (const invoice of [
      { ...SESSION.invoice, amount: 0.1 + 0.2 },
      { ...SESSION.invoice, currency: 'xts' },
      { ...SESSION.invoice, amount: -5 },
    ]) {
      const failure = await rejection(
        scripted([{ status: 200, body: { ...SESSION, invoice } }]).gateway.paymentSession(PUBLIC_TOKEN),
      );
      expect(failure).toMatchObject({ reason: 'invalid_request', providerCode: 'unsupported_amount' });
    }
  });

  it('keeps the back-to-store link only when it is http(s), in either spelling', async () => {
    const pascal = {
      ...SESSION,
      paymentAuthorizationRedirectUrl: undefined,
      PaymentAuthorizationRedirectUrl: 'https://shop.test/',
    };
    const script = { ...SESSION, paymentAuthorizationRedirectUrl: 'javascript:alert(1)' };
    const read = scripted([
      { status: 200, body: pascal },
      { status: 200, body: script },
    ]);
    expect((await read.gateway.paymentSession(PUBLIC_TOKEN)).paymentAuthorizationRedirectUrl).toBe(
      'https://shop.test/',
    );
    expect(await read.gateway.paymentSession(PUBLIC_TOKEN)).not.toHaveProperty(
      'paymentAuthorizationRedirectUrl',
    );
  });
});

describe('confirmPayment', () => {
  it('POSTs the confirmation with the Bearer secret key, and answers the returnUrl', async () => {
    const { gateway, calls } = scripted([RETURNED]);
    await expect(gateway.confirmPayment(CONFIRMATION)).resolves.toEqual({
      returnUrl: 'https://app.snipcart.com/return/abc',
    });
    const [call] = calls;
    expect(call?.url.href).toBe('https://payment.example.test/api/private/custom-payment-gateway/payment');
    expect(call?.init.method).toBe('POST');
    expect(headersOf(call?.init ?? {})).toMatchObject({
      authorization: `Bearer ${SECRET_KEY}`,
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(JSON.parse(String(call?.init.body))).toStrictEqual({
      paymentSessionId: SESSION.id,
      state: 'processed',
      transactionId: 'hub-order-1',
      links: { refunds: CONFIRMATION.refundsUrl },
    });
  });

  it('never re-sends a confirmation that may have arrived; sends it again only when it never left', async () => {
    for (const lost of [fetchFailed('ECONNRESET'), timedOut()]) {
      const { gateway, calls } = scripted([lost, RETURNED]);
      expect(await rejection(gateway.confirmPayment(CONFIRMATION))).toBeInstanceOf(ProviderUnavailableError);
      expect(calls).toHaveLength(1);
    }
    const down = scripted([{ status: 503 }, RETURNED]);
    expect(await rejection(down.gateway.confirmPayment(CONFIRMATION))).toBeInstanceOf(
      ProviderUnavailableError,
    );
    expect(down.calls).toHaveLength(1);
    const refused = scripted([fetchFailed('ECONNREFUSED'), RETURNED]);
    await expect(refused.gateway.confirmPayment(CONFIRMATION)).resolves.toEqual(RETURNED.body);
    expect(refused.calls).toHaveLength(2);
  });

  it.each<[string, Step]>([
    ['no body', { status: 200 }],
    ['no returnUrl', { status: 200, body: { ok: true } }],
    ['a returnUrl that is not http(s)', { status: 200, body: { returnUrl: 'javascript:alert(1)' } }],
  ])('reads a 2xx with %s as an unknown outcome (it may have been recorded)', async (_what, step) => {
    expect(await rejection(scripted([step]).gateway.confirmPayment(CONFIRMATION))).toBeInstanceOf(
      ProviderUnavailableError,
    );
  });

  it('reads 401 as refused credentials and has the keys re-read', async () => {
    const { gateway, rejected } = scripted([{ status: 401 }]);
    expect(await rejection(gateway.confirmPayment(CONFIRMATION))).toMatchObject({
      reason: 'credentials',
      status: 401,
    });
    expect(rejected()).toBe(1);
  });

  it('reads another 4xx as a refusal, keeping a code-shaped code of its body and never its message', async () => {
    const body = { error: { code: 'session_expired', message: 'Session of jane@example.com expired' } };
    const failure = await rejection(scripted([{ status: 400, body }]).gateway.confirmPayment(CONFIRMATION));
    expect(failure).toMatchObject({
      reason: 'invalid_request',
      providerCode: 'session_expired',
      status: 400,
    });
    expect((failure as Error).message).not.toContain('example.com');
    expect(problemFor(failure, 'r').detail ?? '').not.toContain('example.com');
    const odd = await rejection(
      scripted([{ status: 422, body: { code: '<b>x</b>' } }]).gateway.confirmPayment(CONFIRMATION),
    );
    expect(odd).toMatchObject({ providerCode: 'http_422' });
  });
});

describe('validateRequestToken', () => {
  it('GETs requestvalidation/{token} on the app host with Basic <REST key>: and JSON', async () => {
    const { gateway, calls } = scripted([{ status: 200, body: { token: REQUEST_TOKEN, resource: 'x' } }]);
    await expect(gateway.validateRequestToken(REQUEST_TOKEN)).resolves.toBe(true);
    const [call] = calls;
    expect(call?.url.href).toBe(`https://app.example.test/api/requestvalidation/${REQUEST_TOKEN}`);
    expect(headersOf(call?.init ?? {})).toMatchObject({
      authorization: `Basic ${Buffer.from(`${REST_KEY}:`).toString('base64')}`,
      accept: 'application/json',
    });
  });

  it('keeps a token inside its path segment', async () => {
    const { gateway, calls } = scripted([{ status: 404 }]);
    await gateway.validateRequestToken('../../v3/orders?x=1');
    expect(calls[0]?.url.pathname).toBe('/api/requestvalidation/..%2F..%2Fv3%2Forders%3Fx%3D1');
    expect(calls[0]?.url.search).toBe('');
  });

  it.each<[string, Step]>([
    ['200 echoing another token', { status: 200, body: { token: 'another-token' } }],
    ['200 without a token', { status: 200, body: {} }],
    ['200 with no JSON', { status: 200, text: 'OK' }],
    ['204 (no body)', { status: 204 }],
    ['404', { status: 404 }],
    ['403', { status: 403 }],
  ])('is not genuine on %s', async (_what, step) => {
    await expect(scripted([step]).gateway.validateRequestToken(REQUEST_TOKEN)).resolves.toBe(false);
  });

  it('reads 401 as the hub’s REST key refused, not as a verdict on the token', async () => {
    const { gateway, rejected } = scripted([{ status: 401 }]);
    expect(await rejection(gateway.validateRequestToken(REQUEST_TOKEN))).toMatchObject({
      reason: 'credentials',
    });
    expect(rejected()).toBe(1);
  });

  it('fails on an outage after one more try, never answering genuine', async () => {
    const { gateway, calls } = scripted([{ status: 500 }, fetchFailed('ECONNRESET')]);
    expect(await rejection(gateway.validateRequestToken(REQUEST_TOKEN))).toBeInstanceOf(
      ProviderUnavailableError,
    );
    expect(calls).toHaveLength(2);
  });
});

describe('logs', () => {
  it('name the call and its status, never a token, a key or a URL', async () => {
    // The logger reads LOG_LEVEL when it is made (the unit project sets `error`).
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    let run: ReturnType<typeof scripted>;
    try {
      run = scripted([
        { status: 200 },
        { status: 200, body: SESSION },
        RETURNED,
        { status: 503 },
        fetchFailed('ECONNRESET'),
      ]);
    } finally {
      process.env.LOG_LEVEL = level;
    }
    const { gateway, lines } = run;
    await gateway.validatePublicToken(PUBLIC_TOKEN);
    await gateway.paymentSession(PUBLIC_TOKEN);
    await gateway.confirmPayment(CONFIRMATION);
    await rejection(gateway.validateRequestToken(REQUEST_TOKEN));
    expect(lines.length).toBe(5);
    const all = lines.join('\n');
    for (const secret of [
      PUBLIC_TOKEN,
      REQUEST_TOKEN,
      SECRET_KEY,
      REST_KEY,
      'per-order-secret',
      'example.test',
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(lines.map((line) => (JSON.parse(line) as { call: string }).call)).toEqual([
      'validate',
      'payment-session',
      'payment',
      'requestvalidation',
      'requestvalidation',
    ]);
  });
});
