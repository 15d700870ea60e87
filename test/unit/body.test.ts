import type { Request } from '@middy/core';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { type HubError, ValidationError } from '#shared/errors.ts';
import { parseBody } from '#shared/http/body.ts';
import { createStoreCheckoutBody } from '#shared/http/schemas/store-checkout.ts';
import type { HttpEvent, HttpResult, HubContext } from '#shared/http/types.ts';

const Schema = z.object({ amount: z.int().check(z.positive()), note: z.optional(z.string()) });

async function parse(
  event: Partial<HttpEvent>,
  options: Parameters<typeof parseBody>[0] = { schema: Schema },
) {
  const request = { event: { headers: {}, ...event }, context: {} } as unknown as Request<
    HttpEvent,
    HttpResult,
    Error,
    HubContext
  >;
  await parseBody(options).before?.(request);
  return request.event as unknown as { body: unknown; rawBody: string };
}

async function failure(
  event: Partial<HttpEvent>,
  options?: Parameters<typeof parseBody>[0],
): Promise<HubError> {
  try {
    await parse(event, options);
  } catch (error) {
    return error as HubError;
  }
  throw new Error('expected the body to be refused');
}

describe('parseBody', () => {
  it('parses and validates JSON, keeping the raw text', async () => {
    const event = await parse({
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"amount":5}',
    });
    expect(event.body).toEqual({ amount: 5 });
    expect(event.rawBody).toBe('{"amount":5}');
  });

  it('reads base64 bodies and form posts where the route accepts them', async () => {
    const body = Buffer.from('amount=5&note=hi').toString('base64');
    const event = await parse(
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, isBase64Encoded: true },
      { schema: z.object({ amount: z.string(), note: z.string() }), formats: ['form'] },
    );
    expect(event.body).toEqual({ amount: '5', note: 'hi' });
  });

  it('treats an empty body as an empty object', async () => {
    expect((await parse({}, { schema: z.object({}) })).body).toEqual({});
  });

  it('refuses malformed JSON, other media types and bodies over the limit', async () => {
    expect(
      (await failure({ headers: { 'content-type': 'application/json' }, body: '{"amount":' })).code,
    ).toBe('MALFORMED_BODY');
    expect((await failure({ headers: { 'content-type': 'text/plain' }, body: 'amount=5' })).code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(
      (await failure({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' })).code,
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = JSON.stringify({ amount: 1, note: 'x'.repeat(2 * 1024 * 1024) });
    expect((await failure({ headers: { 'content-type': 'application/json' }, body: big })).code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('refuses a body without a Content-Type, and reads no Content-Type with no body as nothing sent', async () => {
    const error = await failure({ body: '{"amount":5}' });
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toMatch(/Content-Type/);
    expect((await parse({ body: '' }, { schema: z.object({}) })).body).toEqual({});
  });

  it('lists every wrong field with a path and a readable message', async () => {
    const error = await failure(
      {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          orderId: 'bad id!',
          channel: 'web',
          amount: 12.5,
          currency: 'EUR',
          customer: {
            name: { first: 'Jane' },
            address: { line1: '1 Main', city: 'Denver', state: 'CO', zipcode: '80202' },
          },
          items: [{ sku: 'A', name: 'A', unitPrice: -1, quantity: 1 }],
        }),
      },
      { schema: createStoreCheckoutBody() },
    );
    expect(error).toBeInstanceOf(ValidationError);
    const byPath = Object.fromEntries((error.fieldErrors ?? []).map((e) => [e.path, e.message]));
    expect(byPath).toMatchObject({
      orderId: 'has an invalid format',
      channel: 'must be one of "in_store", "telesales"',
      amount: 'must be an integer',
      currency: 'must be one of "USD", "CAD"',
      'customer.name': 'must be { first, last } or { full }',
      'customer.address.country': 'is required',
      'items[0].unitPrice': 'must be at least 0',
    });
  });

  it('requires an e-mail or a phone to send the checkout link', async () => {
    const error = await failure(
      {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          orderId: 'o-1',
          channel: 'in_store',
          amount: 100,
          currency: 'USD',
          customer: {
            name: { full: 'Jane Doe' },
            address: { line1: '1', city: 'D', state: 'CO', zipcode: '1', country: 'USA' },
          },
        }),
      },
      { schema: createStoreCheckoutBody() },
    );
    expect(error.fieldErrors).toEqual([
      { path: 'customer.email', message: 'needs an email or a phone number for the checkout link' },
    ]);
  });
});
