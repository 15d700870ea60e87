/**
 * How every hub function is put together:
 *
 *   export const handler = httpApi(
 *     endpoint({ auth: apiKeyAuth(), body: Schema, idempotency: idempotency() })
 *       .handler(async (event, context) => ...parse, call the domain, map the result...),
 *   );
 *
 * `endpoint` is the middy chain (auth, signature, body, idempotency, in that order: a provider
 * notification's signature is checked before its body is parsed, and idempotency needs the caller
 * and the validated body). The handler passes the middlewares it uses, so that a
 * function without a table (health) does not bundle, or load, the DynamoDB client.
 * `httpApi` wraps it all: request id, log context, the access log line, and the mapping
 * of anything thrown to problem+json.
 */

import type { MiddlewareObj } from '@middy/core';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { NotFoundError, ProviderUnavailableError } from '../errors.ts';
import { log, logContext } from '../log.ts';
import { type BodyFormat, bodySizeLimit, parseBody } from './body.ts';
import { matchPathParams, type PathSpec } from './path-params.ts';
import { problemFor, problemResponse } from './problem.ts';
import type { HttpEvent, HttpResult, HubContext, ParsedEvent } from './types.ts';

type Middleware = MiddlewareObj<HttpEvent, HttpResult, Error, HubContext>;

export interface EndpointOptions<TBody> {
  /** Authentication, e.g. apiKeyAuth(); none for public routes. */
  auth?: Middleware;
  /**
   * A provider's signature check, verifiedSignature(verifier), for webhooks and IPNs. It runs after
   * the size limit (413 for a body over `maxBodyBytes`, so an oversized request costs no HMAC and is
   * refused the same whoever sent it) and before the body parser: a forged request is never parsed,
   * its content type never looked at, its fields never validated.
   */
  signature?: Middleware;
  body?: z.ZodMiniType<TBody> | ((event: HttpEvent) => z.ZodMiniType<TBody>);
  formats?: BodyFormat[];
  maxBodyBytes?: number;
  /** idempotency() for mutating POS and back-office routes. */
  idempotency?: Middleware;
}

/** Path parameters, validated before anything else runs: a value that cannot name anything is a 404. */
export interface PathOptions<TPath> {
  path?: PathSpec<TPath>;
}

export type RouteHandler<TBody, TPath> = (
  event: ParsedEvent<TBody> & { params: TPath },
  context: HubContext,
) => Promise<HttpResult>;
export type Served = (event: HttpEvent, context: HubContext) => Promise<HttpResult>;

function parsePath<TPath>(spec: PathSpec<TPath>): Middleware {
  return {
    before: (request) => {
      const params = matchPathParams(spec, request.event.pathParameters ?? {});
      if (!params) throw new NotFoundError(spec.names);
      Object.assign(request.event, { params });
    },
  };
}

/** How long before the function's own timeout a request gives up, to answer in words. */
const TIMEOUT_MARGIN_MS = 1_000;

/**
 * A request that ran out of time, most often waiting on a slow provider (settling an earlier
 * operation, then its own): whatever it started is recorded in flight and settled by the next
 * request or the reconciler. Found by a black-box test: it answered 500 INTERNAL, and the caller
 * could not know that its refund had gone through.
 */
function outOfTime(): never {
  throw new ProviderUnavailableError('The request ran out of time waiting on the payment provider.', {
    publicDetail:
      'The payment provider was too slow to answer in time: the outcome is not known yet. Retry with the same Idempotency-Key, or read the order before asking again.',
  });
}

export function endpoint<TBody = undefined, TPath = Record<string, never>>(
  options: EndpointOptions<TBody> & PathOptions<TPath>,
) {
  const chain = middy<HttpEvent, HttpResult, Error, HubContext>({
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: outOfTime,
  });
  if (options.auth) chain.use(options.auth);
  // After authentication (an unknown caller learns nothing, not even which ids are well formed).
  if (options.path) chain.use(parsePath(options.path));
  if (options.signature) chain.use(bodySizeLimit(options.maxBodyBytes)).use(options.signature);
  if (options.body) {
    chain.use(parseBody({ schema: options.body, formats: options.formats, maxBytes: options.maxBodyBytes }));
  }
  if (options.idempotency) chain.use(options.idempotency);
  return {
    /** The route's own code: runs after every middleware accepted the request. */
    handler(route: RouteHandler<TBody, TPath>): Served {
      // The body middleware replaced the raw body with the validated one, which is what `route` receives.
      return chain.handler(route as unknown as Served) as unknown as Served;
    },
  };
}

/** The Lambda handler: serves one request and never throws. */
export function httpApi(serve: Served): (event: HttpEvent, context: Context) => Promise<HttpResult> {
  return async (event, context) => {
    const requestId = event.requestContext?.requestId || context.awsRequestId;
    const hubContext = Object.assign(context, { requestId }) as HubContext;
    return logContext.run({ requestId }, async () => {
      const started = performance.now();
      let result: HttpResult;
      try {
        result = await serve(event, hubContext);
      } catch (error) {
        result = problemResponse(error, requestId);
        const problem = problemFor(error, requestId);
        if (problem.status >= 500)
          log.error('request failed', { code: problem.code, error, cause: (error as Error).cause });
      }
      result.headers = { ...result.headers, 'x-request-id': requestId };
      log.info('request', {
        method: event.requestContext?.http?.method,
        route: event.routeKey,
        status: result.statusCode,
        ms: Math.round(performance.now() - started),
        ...(result.headers['idempotent-replayed'] ? { replayed: true } : {}),
      });
      return result;
    });
  };
}
