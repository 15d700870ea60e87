/** DynamoDB that does not answer: a retryable 503 problem, logged with the reason, and bounded by configuration. */

import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpApi } from '#shared/http/endpoint.ts';
import { problemFor, problemResponse } from '#shared/http/problem.ts';
import type { HttpEvent } from '#shared/http/types.ts';

/** The shapes the SDK throws (seen against a stopped and a stalled DynamoDB Local): they carry `$metadata`. */
function sdkError(name: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} from the SDK`), {
    name,
    $metadata: { attempts: 2, totalRetryDelay: 5 },
    ...fields,
  });
}

const UNAVAILABLE = [
  sdkError('TimeoutError', { code: 'ETIMEDOUT' }),
  sdkError('TimeoutError'),
  sdkError('Error', { code: 'ECONNREFUSED' }),
  sdkError('Error', { code: 'ECONNRESET', message: 'socket hang up' }),
  sdkError('RequestTimeout'),
  sdkError('InternalServerError', { $fault: 'server' }),
  sdkError('ProvisionedThroughputExceededException', { $fault: 'client' }),
];

describe('a DynamoDB that does not answer', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each(UNAVAILABLE.map((error) => [`${error.name} ${String((error as { code?: string }).code)}`, error]))(
    '%s is 503 STORAGE_UNAVAILABLE with Retry-After',
    (_, error) => {
      expect(problemFor(error, 'req-1')).toMatchObject({ status: 503, code: 'STORAGE_UNAVAILABLE' });
      const response = problemResponse(error, 'req-1');
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toMatch(/^\d+$/);
      expect(response.body).not.toContain('from the SDK');
    },
  );

  it("leaves other failures a 500 INTERNAL, the SDK's own included", () => {
    const notFromTheSdk = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    for (const error of [
      notFromTheSdk,
      sdkError('ConditionalCheckFailedException', { $fault: 'client' }),
      sdkError('ValidationException', { $fault: 'client' }),
      new TypeError('x is undefined'),
    ]) {
      expect(problemFor(error, 'req-1').code, error.name).toBe('INTERNAL');
    }
  });

  it('logs why the request failed (the error name and code), without the request', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const handler = httpApi(async () => {
      throw sdkError('TimeoutError', { code: 'ETIMEDOUT' });
    });
    const event = {
      routeKey: 'GET /v1/orders/{orderId}',
      headers: { authorization: 'Bearer local-pos-key' },
      requestContext: { requestId: 'req-1', http: { method: 'GET' } },
    } as unknown as HttpEvent;
    const result = await handler(event, { awsRequestId: 'aws-1' } as Context);
    expect(result.statusCode).toBe(503);
    const failure = lines.map((line) => JSON.parse(line)).find((entry) => entry.message === 'request failed');
    expect(failure).toMatchObject({
      level: 'error',
      code: 'STORAGE_UNAVAILABLE',
      error: { name: 'TimeoutError', code: 'ETIMEDOUT' },
    });
    expect(lines.join('')).not.toContain('local-pos-key');
  });

  it('bounds each call by configuration, checked at once', async () => {
    vi.stubEnv('DYNAMODB_REQUEST_TIMEOUT_MS', '');
    const { tableConfig } = await import('#shared/config.ts');
    expect(tableConfig()).toMatchObject({ connectTimeoutMs: 1_000, requestTimeoutMs: 2_500, maxAttempts: 2 });
    vi.resetModules();
    vi.stubEnv('DYNAMODB_REQUEST_TIMEOUT_MS', '2s');
    const fresh = await import('#shared/config.ts');
    expect(() => fresh.tableConfig()).toThrow(/DYNAMODB_REQUEST_TIMEOUT_MS must be a positive integer/);
  });
});
