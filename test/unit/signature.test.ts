import { createHash } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { type SignatureInput, type SignatureVerifier, verifiedSignature } from '#shared/http/signature.ts';
import { type HttpEvent, json } from '#shared/http/types.ts';

const FORM = 'application/x-www-form-urlencoded';
const Body = z.object({ event: z.string(), name: z.optional(z.string()) });
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Accepts a request whose `x-test-signature` is the SHA-256 of the bytes it is handed; remembers each input. */
function fakeVerifier() {
  const seen: SignatureInput[] = [];
  const verifier: SignatureVerifier = {
    async verify(input) {
      seen.push(input);
      return input.headers['x-test-signature'] === sha256(input.rawBody)
        ? { valid: true }
        : { valid: false, reason: 'mismatch' };
    },
  };
  return { verifier, seen };
}

function serve(verifier: SignatureVerifier, maxBodyBytes?: number) {
  const handled: unknown[] = [];
  const handler = httpApi(
    endpoint({ signature: verifiedSignature(verifier), body: Body, formats: ['form'], maxBodyBytes }).handler(
      async (event) => {
        handled.push(event.body);
        return json(200, { received: true });
      },
    ),
  );
  const call = (event: Partial<HttpEvent>) =>
    handler(
      { routeKey: 'POST /v1/test/webhooks', requestContext: { requestId: 'req-1' }, ...event } as HttpEvent,
      { awsRequestId: 'aws-1' } as Context,
    );
  return { call, handled };
}

describe('verifiedSignature in endpoint()', () => {
  it('passes a valid request through: the handler gets the parsed body, the verifier the raw bytes', async () => {
    // Prepare
    const { verifier, seen } = fakeVerifier();
    const { call, handled } = serve(verifier);
    const body = 'event=confirmed&name=Ana';
    // Act
    const result = await call({
      headers: { 'content-type': FORM, 'x-test-signature': sha256(body) },
      body,
    });
    // Assess
    expect(result.statusCode).toBe(200);
    expect(handled).toEqual([{ event: 'confirmed', name: 'Ana' }]);
    expect(seen[0]?.rawBody.toString('utf8')).toBe(body);
    expect(seen[0]?.now).toBeInstanceOf(Date);
  });

  it('refuses an invalid signature with a 401 INVALID_SIGNATURE problem, before parsing the body', async () => {
    const { verifier } = fakeVerifier();
    const { call, handled } = serve(verifier);
    // A body the parser would refuse (wrong media type, not the schema): the signature is refused first.
    const result = await call({
      headers: { 'content-type': 'text/plain', 'x-test-signature': sha256('something else') },
      body: '{"not":"a form"',
    });

    expect(result.statusCode).toBe(401);
    expect(result.headers['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(result.body);
    expect(problem).toMatchObject({ status: 401, code: 'INVALID_SIGNATURE', requestId: 'req-1' });
    expect(result.body).not.toContain(sha256('something else'));
    expect(handled).toEqual([]);
  });

  it('refuses a request with no signature header', async () => {
    const { verifier } = fakeVerifier();
    const { call, handled } = serve(verifier);
    const result = await call({ headers: { 'content-type': FORM }, body: 'event=confirmed' });
    expect(result.statusCode).toBe(401);
    expect(handled).toEqual([]);
  });

  it('verifies a base64-encoded form body over its decoded bytes (accented characters included)', async () => {
    const { verifier, seen } = fakeVerifier();
    const { call, handled } = serve(verifier);
    const bytes = Buffer.from(`event=confirmed&name=${encodeURIComponent('Hélène Müller')}`, 'utf8');

    const result = await call({
      headers: { 'content-type': FORM, 'x-test-signature': sha256(bytes) },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });

    expect(result.statusCode).toBe(200);
    expect(seen[0]?.rawBody.equals(bytes)).toBe(true);
    expect(handled).toEqual([{ event: 'confirmed', name: 'Hélène Müller' }]);
  });

  it('hands the verifier header names in lower case', async () => {
    const { verifier, seen } = fakeVerifier();
    const { call } = serve(verifier);
    const body = 'event=confirmed';
    await call({ headers: { 'Content-Type': FORM, 'X-Test-Signature': sha256(body) }, body });
    expect(seen[0]?.headers['x-test-signature']).toBe(sha256(body));
    expect(seen[0]?.headers['content-type']).toBe(FORM);
  });

  it('refuses a body over the size limit with 413 without asking the verifier', async () => {
    const { verifier, seen } = fakeVerifier();
    const { call } = serve(verifier, 16);
    const body = `event=${'x'.repeat(32)}`;
    const result = await call({ headers: { 'content-type': FORM, 'x-test-signature': sha256(body) }, body });
    expect(result.statusCode).toBe(413);
    expect(seen).toEqual([]);
  });

  it('answers 500, not 401, when the verifier cannot decide (e.g. the key could not be loaded)', async () => {
    const failing: SignatureVerifier = {
      verify: async () => {
        throw new Error('secrets extension answered 500');
      },
    };
    const { call, handled } = serve(failing);
    const result = await call({ headers: { 'content-type': FORM }, body: 'event=confirmed' });
    expect(result.statusCode).toBe(500);
    expect(handled).toEqual([]);
  });
});
