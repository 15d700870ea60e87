/**
 * The agent console's pure parts (shared/console/app.js, the very file the page loads), the
 * generated assets module, and the function serving them. The page itself runs in Chromium:
 * test/e2e/agent-console.test.ts.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/agent-console.ts';
import { CONSOLE_ASSETS_MODULE, renderConsoleAssets } from '../../scripts/console-assets.ts';
import {
  allowedActions,
  centsFromText,
  checkoutRequest,
  describeFailure,
  ERROR_MESSAGES,
  FINAL_STATUSES,
  formatMinor,
  isRetryable,
  MAX_MINOR_AMOUNT,
  newOrderId,
  requestKeys,
} from '../../shared/console/app.js';
import { APP_JS, CONSOLE_VERSION } from '../../shared/console/assets.ts';
import { MAX_MINOR_AMOUNT as HUB_MAX_MINOR_AMOUNT } from '../../shared/domain/money.ts';
import { ERROR_CODES, HubError } from '../../shared/errors.ts';
import { problemFor, statusOf } from '../../shared/http/problem.ts';
import { orderId } from '../../shared/http/schemas/fields.ts';
import type { HttpEvent } from '../../shared/http/types.ts';

describe('amounts typed by the agent', () => {
  it.each([
    ['1250', 125_000],
    ['1250.00', 125_000],
    ['1,250.5', 125_050],
    ['$1,250.55', 125_055],
    ['  19.99 ', 1_999],
    ['0.29', 29],
    ['0.57', 57],
    ['1.1', 110],
    ['007.05', 705],
    ['1000000000', MAX_MINOR_AMOUNT],
    ['1,000,000,000.00', MAX_MINOR_AMOUNT],
  ])('reads %j as %i cents', (text, cents) => {
    expect(centsFromText(text)).toEqual({ cents });
  });

  it.each([
    '',
    'abc',
    '-5',
    '1.234',
    '1,25.00',
    '1.250,00',
    '12,34',
    '1e3',
    '.5',
    '0',
    '0.00',
    '1000000000.01',
    '99999999999999999999',
  ])('refuses %j with a sentence', (text) => {
    const parsed = centsFromText(text);
    expect(parsed.cents).toBeUndefined();
    expect(parsed.error).toMatch(/^[A-Z].*\.$/);
  });

  it('takes zero only where zero is allowed (unit price, tax, shipping)', () => {
    expect(centsFromText('0', { allowZero: true })).toEqual({ cents: 0 });
  });

  it('has the hub limit', () => {
    expect(MAX_MINOR_AMOUNT).toBe(HUB_MAX_MINOR_AMOUNT);
  });

  it('reads back exactly every amount it formats, up to the limit (no float rounding)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_MINOR_AMOUNT }), (cents) => {
        const text = formatMinor(cents, 'USD');
        expect(centsFromText(text)).toEqual({ cents });
        expect(centsFromText(text.replace('$', '').replaceAll(',', ''))).toEqual({ cents });
      }),
    );
  });

  it.each([
    [125_000, 'USD', '$1,250.00'],
    [5, 'USD', '$0.05'],
    [0, 'CAD', 'CA$0.00'],
    [-1_999, 'USD', '-$19.99'],
    [MAX_MINOR_AMOUNT, 'USD', '$1,000,000,000.00'],
    [123_456_789, 'EUR', '1,234,567.89 EUR'],
  ])('formats %i %s as %s', (amount, currency, text) => {
    expect(formatMinor(amount, currency)).toBe(text);
  });
});

describe('error messages', () => {
  it('has a message for every error code of the hub, and none for codes it does not have', () => {
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each([...ERROR_CODES])('tells the agent what %s means and what to do next', (code) => {
    const problem = problemFor(new HubError(code, 'internal wording the agent should not need'), 'req-42');
    const text = describeFailure({ status: statusOf(code), body: problem });
    expect(text.startsWith(ERROR_MESSAGES[code] ?? '<none>')).toBe(true);
    expect(text).toContain('(request id req-42)');
    // The provider's refusal says what to correct; other details speak in minor units or internals.
    expect(text.includes('(internal wording the agent should not need)')).toBe(code === 'PROVIDER_REJECTED');
  });

  it('adds the detail where it helps, and the field errors by their labels', () => {
    const rejected = problemFor(new HubError('PROVIDER_REJECTED', 'The zipcode is not valid.'), 'r');
    expect(describeFailure({ status: 422, body: rejected })).toContain('(The zipcode is not valid.)');
    const invalid = problemFor(
      new HubError('VALIDATION_FAILED', 'bad', {
        fieldErrors: [{ path: 'customer.address.zipcode', message: 'is required' }],
      }),
      'r',
    );
    const text = describeFailure({ status: 400, body: invalid }, (path) =>
      path === 'customer.address.zipcode' ? 'ZIP or postal code' : path,
    );
    expect(text).toContain('\nZIP or postal code: is required');
  });

  it("falls back to the problem's detail for a code it does not know, then to the status", () => {
    const future = { code: 'SOMETHING_NEW', detail: 'What the hub says about it.', status: 409 };
    expect(describeFailure({ status: 409, body: future })).toBe('What the hub says about it.');
    expect(describeFailure({ status: 503, body: { message: 'Service Unavailable' } })).toMatch(
      /HTTP 503.*safe to retry/,
    );
    expect(describeFailure({ status: 418, body: undefined })).toBe('The hub refused the request (HTTP 418).');
    expect(describeFailure({ network: true })).toMatch(/Could not reach the hub/);
  });
});

describe('Idempotency-Keys', () => {
  const counter = () => {
    let n = 0;
    return () => String(++n);
  };
  const problem = (code: (typeof ERROR_CODES)[number]) => ({
    status: statusOf(code),
    body: problemFor(new HubError(code, 'x'), 'r'),
  });

  it('keeps the key of a request whose outcome is unknown, so that the retry does nothing twice', () => {
    const keys = requestKeys(counter());
    const first = keys.keyFor('capture order-1 {}');
    for (const answer of [
      { network: true as const },
      problem('PROVIDER_UNAVAILABLE'),
      problem('STORAGE_UNAVAILABLE'),
      problem('INTERNAL'),
      problem('IDEMPOTENCY_IN_PROGRESS'),
      problem('OPERATION_IN_PROGRESS'),
      problem('CHECKOUT_NOT_CONFIRMED'),
      { status: 503, body: { message: 'Service Unavailable' } },
    ]) {
      expect(isRetryable(answer)).toBe(true);
      keys.settle(answer);
      expect(keys.keyFor('capture order-1 {}')).toBe(first);
    }
  });

  it('takes a new key after a success or a final refusal, and for another request', () => {
    const keys = requestKeys(counter());
    const first = keys.keyFor('refund {"amount":100}');
    expect(keys.keyFor('refund {"amount":200}')).not.toBe(first);
    const second = keys.keyFor('refund {"amount":200}');
    keys.settle({ status: 200, body: {} });
    // The same refund again is a second refund: a new key, or the hub would answer the first one again.
    const third = keys.keyFor('refund {"amount":200}');
    expect(third).not.toBe(second);
    for (const code of ['AMOUNT_EXCEEDS_CAPTURED', 'IDEMPOTENCY_KEY_REUSED', 'INVALID_STATE'] as const) {
      const before = keys.keyFor('refund {"amount":200}');
      keys.settle(problem(code));
      expect(keys.keyFor('refund {"amount":200}')).not.toBe(before);
    }
  });

  it('makes keys the hub accepts (1-255 printable characters), different each time', () => {
    const keys = requestKeys();
    const a = keys.keyFor('a');
    const b = keys.keyFor('b');
    expect(a).toMatch(/^console-[0-9a-f]{24}$/);
    expect(a).not.toBe(b);
  });
});

describe('what the order panel allows', () => {
  const checkout = { checkoutId: 'chk_1' };
  it.each([
    ['sent', ['authorize']],
    ['confirmed', ['authorize']],
    ['authorized', ['capture', 'void']],
    ['partially_captured', ['capture', 'refund', 'void']],
    ['captured', ['refund']],
    ['partially_refunded', ['refund']],
    ['refunded', []],
    ['voided', []],
    ['declined', []],
    ['expired', []],
    ['awaiting_payment', []],
  ])('%s: %j', (status, actions) => {
    expect(allowedActions({ status, affirm: checkout })).toEqual(actions);
  });

  it('does not offer to authorize without a checkout, nor anything without an order', () => {
    expect(allowedActions({ status: 'sent' })).toEqual([]);
    expect(allowedActions(undefined)).toEqual([]);
  });

  it('stops asking only at statuses that cannot change any more', () => {
    expect(FINAL_STATUSES.sort()).toEqual(['declined', 'expired', 'refunded', 'voided']);
  });
});

describe('the checkout request', () => {
  const fields = {
    orderId: 'order-1',
    channel: 'telesales',
    amount: '1,250.10',
    currency: 'CAD',
    'customer.name.first': ' Jane ',
    'customer.name.last': 'Doe',
    'customer.email': 'jane@example.com',
    'customer.phone': '',
    'customer.address.line1': '1 Main St',
    'customer.address.line2': '',
    'customer.address.city': 'Toronto',
    'customer.address.state': 'ON',
    'customer.address.zipcode': 'M5H 2N2',
    'customer.address.country': 'CAN',
    taxAmount: '',
    shippingAmount: '10',
  };

  it('sends exact cents, trimmed text, and leaves out what is empty', () => {
    const rows = [
      { sku: 'SOFA', name: 'Sofa', unitPrice: '1240.10', quantity: '1' },
      { sku: '', name: '', unitPrice: '', quantity: '1' },
    ];
    expect(checkoutRequest(fields, rows)).toEqual({
      body: {
        orderId: 'order-1',
        channel: 'telesales',
        amount: 125_010,
        currency: 'CAD',
        customer: {
          name: { first: 'Jane', last: 'Doe' },
          email: 'jane@example.com',
          address: {
            line1: '1 Main St',
            city: 'Toronto',
            state: 'ON',
            zipcode: 'M5H 2N2',
            country: 'CAN',
          },
        },
        items: [{ sku: 'SOFA', name: 'Sofa', unitPrice: 124_010, quantity: 1 }],
        shippingAmount: 1_000,
      },
    });
  });

  it('names each field it refuses by its path', () => {
    const result = checkoutRequest({ ...fields, amount: '12.345', 'customer.email': '' }, [
      { sku: 'A', name: 'A', unitPrice: 'x', quantity: '0' },
    ]);
    expect(result.errors?.map((e) => e.path)).toEqual([
      'amount',
      'customer.email',
      'items.0.quantity',
      'items.0.unitPrice',
    ]);
  });

  it('makes order ids the hub accepts', () => {
    const id = newOrderId(new Date('2026-03-04T05:06:07Z'));
    expect(id).toMatch(/^order-20260304-[0-9a-f]{8}$/);
    expect(orderId().safeParse(id).success).toBe(true);
  });
});

describe('the agent console function', () => {
  const get = (route: string, query?: Record<string, string>) =>
    handler(
      {
        version: '2.0',
        routeKey: `GET ${route}`,
        rawPath: route,
        rawQueryString: '',
        headers: {},
        ...(query ? { queryStringParameters: query } : {}),
        requestContext: { requestId: 'r', http: { method: 'GET' } },
        isBase64Encoded: false,
      } as unknown as HttpEvent,
      { awsRequestId: 'a', getRemainingTimeInMillis: () => 5000 } as never,
    );

  it('is generated from the current sources (run `npm run console:assets` after editing them)', () => {
    const written = readFileSync(fileURLToPath(new URL(`../../${CONSOLE_ASSETS_MODULE}`, import.meta.url)));
    const upToDate = written.toString('utf8') === renderConsoleAssets();
    expect(upToDate, `${CONSOLE_ASSETS_MODULE} is out of date: run \`npm run console:assets\``).toBe(true);
    expect(APP_JS).toBe(
      readFileSync(fileURLToPath(new URL('../../shared/console/app.js', import.meta.url)), 'utf8'),
    );
  });

  it('serves the page, never cached, under a policy that allows no inline script', async () => {
    const page = await get('/console');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    const csp = page.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // Its assets by the version it was written for; no inline script, style or handler.
    expect(page.body).toContain(`src="console/app.js?v=${CONSOLE_VERSION}"`);
    expect(page.body).toContain(`href="console/app.css?v=${CONSOLE_VERSION}"`);
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('serves the assets with their types, cached for good only when asked by their version', async () => {
    const js = await get('/console/app.js', { v: CONSOLE_VERSION });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe(APP_JS);
    const css = await get('/console/app.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('no-cache');
    expect((await get('/console/app.css', { v: 'older' })).headers['cache-control']).toBe('no-cache');
  });

  it('answers 404 for a route it does not serve', async () => {
    const answer = await get('/health');
    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body).code).toBe('NOT_FOUND');
  });
});
