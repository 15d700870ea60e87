import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Request } from '@middy/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint } from '#shared/domain/fingerprint.ts';
import { HubError, ProviderUnavailableError, StateConflictError } from '#shared/errors.ts';
import { idempotency } from '#shared/http/idempotency.ts';
import type { HttpEvent, HttpResult, HubContext } from '#shared/http/types.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamo.reset());

const BODY = { amount: 500 };
const FINGERPRINT = fingerprint({ method: 'POST', rawPath: '/v1/orders/o-1/refunds', body: BODY });

function request(key: string | undefined): Request<HttpEvent, HttpResult, Error, HubContext> {
  return {
    event: {
      headers: key === undefined ? {} : { 'idempotency-key': key },
      rawPath: '/v1/orders/o-1/refunds',
      requestContext: { http: { method: 'POST' } },
      body: BODY,
    },
    context: { caller: { keyId: 'key_pos', role: 'location', location: 'Denver' }, requestId: 'req-1' },
    response: null,
    error: null,
    internal: {},
  } as unknown as Request<HttpEvent, HttpResult, Error, HubContext>;
}

/** What DynamoDB answers when the key is taken: the old item, as raw attribute values. */
function taken(item: Record<string, unknown>) {
  return new ConditionalCheckFailedException({ message: 'taken', $metadata: {}, Item: marshall(item) });
}

describe('idempotency middleware', () => {
  const middleware = idempotency();

  it('does nothing for a request without Idempotency-Key', async () => {
    const r = request(undefined);
    expect(await middleware.before?.(r)).toBeUndefined();
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('claims the key scoped to the caller, then stores the response', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    const r = request('k-1');
    await middleware.before?.(r);
    expect(r.context.requestKey).toBe('key_pos:k-1');
    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item).toMatchObject({
      PK: 'IDEMPOTENCY#key_pos#k-1',
      status: 'in_progress',
      fingerprint: FINGERPRINT,
    });
    expect(put?.ConditionExpression).toContain('attribute_not_exists(PK)');

    r.response = { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
    await middleware.after?.(r);
    const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.ExpressionAttributeValues?.[':response']).toEqual(r.response);
  });

  it('replays a completed response with Idempotent-Replayed', async () => {
    const stored = {
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      body: '{"first":true}',
    };
    dynamo.on(PutCommand).rejects(taken({ status: 'completed', fingerprint: FINGERPRINT, response: stored }));
    const replay = await middleware.before?.(request('k-1'));
    expect(replay).toEqual({ ...stored, headers: { ...stored.headers, 'idempotent-replayed': 'true' } });
  });

  it('refuses the same key with another request', async () => {
    dynamo.on(PutCommand).rejects(taken({ status: 'completed', fingerprint: 'another-body', response: {} }));
    await expect(middleware.before?.(request('k-1'))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('refuses the same key while the first request still runs', async () => {
    dynamo.on(PutCommand).rejects(taken({ status: 'in_progress', fingerprint: FINGERPRINT }));
    await expect(middleware.before?.(request('k-1'))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_IN_PROGRESS',
    });
  });

  it('refuses a malformed key before touching the table', async () => {
    await expect(middleware.before?.(request('x'.repeat(256)))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(middleware.before?.(request('tab\there'))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('releases the key after a retryable failure, so the retry runs again', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    for (const error of [
      new ProviderUnavailableError('down'),
      new StateConflictError('CHECKOUT_NOT_CONFIRMED', 'wait', { retryable: true }),
      new Error('bug'),
    ]) {
      const r = request('k-1');
      await middleware.before?.(r);
      r.error = error;
      await middleware.onError?.(r);
    }
    // Released, not deleted: the record keeps its fingerprint for the retry (and refuses any other body).
    const releases = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(releases).toHaveLength(3);
    for (const release of releases) {
      expect(release.UpdateExpression).toBe('SET #status = :released REMOVE leaseUntil');
      expect(release.ExpressionAttributeValues?.[':response']).toBeUndefined();
    }
  });

  it('stores a final 4xx so that the retry gets the same answer', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    const r = request('k-1');
    await middleware.before?.(r);
    r.error = new HubError('AMOUNT_EXCEEDS_CAPTURED', 'At most 10 can still be refunded.');
    await middleware.onError?.(r);
    const stored =
      dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':response'];
    expect(stored.statusCode).toBe(409);
    expect(JSON.parse(stored.body)).toMatchObject({ code: 'AMOUNT_EXCEEDS_CAPTURED', requestId: 'req-1' });
  });
});
