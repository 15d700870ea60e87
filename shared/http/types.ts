import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Caller } from '../domain/caller.ts';

/** API Gateway HTTP API (payload format 2.0) request. */
export type HttpEvent = APIGatewayProxyEventV2;

/** What every hub handler returns: a complete HTTP response. */
export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

/** The request after the body middleware: `body` is the validated value. */
export type ParsedEvent<TBody> = Omit<HttpEvent, 'body'> & { body: TBody; rawBody: string };

export interface HubContext extends Context {
  /** API Gateway's request id: the `x-request-id` header and `requestId` of problems. Set by httpApi. */
  requestId: string;
  /** Set by apiKeyAuth. */
  caller: Caller;
  /** Set by idempotency() when the request carries an Idempotency-Key: the caller-scoped key. */
  requestKey?: string;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function header(event: Pick<HttpEvent, 'headers'>, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}
