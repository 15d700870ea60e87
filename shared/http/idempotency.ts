/**
 * Idempotency-Key (API.md, Conventions), for mutating POS and back-office routes:
 *   same key + same request within 24 h   -> the first response again, `Idempotent-Replayed: true`
 *   same key + another request            -> 422 IDEMPOTENCY_KEY_REUSED
 *   same key while the first still runs   -> 409 IDEMPOTENCY_IN_PROGRESS
 * Keys are scoped to the calling API key. Only final answers are stored: successes and
 * non-retryable 4xx. A retryable failure (provider unavailable, customer not finished,
 * operation in progress) releases the key, so the retry runs again, and the domain finishes
 * any interrupted provider operation for it (the scoped key is passed on as `requestKey`).
 */

import type { MiddlewareObj } from '@middy/core';
import { clock } from '../clock.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  completionRider,
  releaseIdempotencyKey,
} from '../data/idempotency.ts';
import { fingerprint } from '../domain/fingerprint.ts';
import type { OperationOutcome } from '../domain/operations.ts';
import type { Operation, Order } from '../domain/order.ts';
import type { RidingWrite, RidingWriteFor } from '../domain/ports.ts';
import { HubError, ValidationError } from '../errors.ts';
import { log } from '../log.ts';
import { problemResponse, statusOf } from './problem.ts';
import { type HttpEvent, type HttpResult, type HubContext, header } from './types.ts';

/** Longer than the function timeout: a claim older than this belongs to a request that died. */
const LEASE_MS = 60_000;
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

interface Claim {
  scope: string;
  key: string;
  fingerprint: string;
}

const claims = new WeakMap<object, Claim>();
/** Requests whose answer rode in their last order write: `after` has nothing left to store. */
const answeredInline = new WeakSet<object>();

/**
 * Where a route takes its key from when its caller sends no Idempotency-Key header (Snipcart's
 * refund calls carry none): the key and its scope from the parsed request, and how long the
 * first answer is replayed.
 */
export interface ImplicitKey {
  keyOf(event: HttpEvent & { body: unknown }): { scope: string; key: string } | undefined;
  ttlSeconds: number;
}

export function idempotency(implicit?: ImplicitKey): MiddlewareObj<HttpEvent, HttpResult, Error, HubContext> {
  return {
    before: async (request) => {
      const event = request.event as HttpEvent & { body: unknown };
      const named = implicit ? implicit.keyOf(event) : headerKey(request.event, request.context);
      if (named === undefined) return undefined;
      const { scope, key } = named;
      const { requestContext, rawPath, body } = event;
      const claim = {
        scope,
        key,
        fingerprint: fingerprint({ method: requestContext.http.method, rawPath, body }),
      };
      const result = await claimIdempotencyKey(
        scope,
        key,
        claim.fingerprint,
        clock.now(),
        LEASE_MS,
        implicit?.ttlSeconds,
      );
      switch (result.outcome) {
        case 'claimed':
          claims.set(request.context, claim);
          request.context.requestKey = `${scope}:${key}`;
          return undefined;
        case 'replay':
          return {
            ...result.response,
            headers: { ...result.response.headers, 'idempotent-replayed': 'true' },
          };
        case 'in_progress':
          throw new HubError(
            'IDEMPOTENCY_IN_PROGRESS',
            'A request with this Idempotency-Key is still running.',
            {
              retryable: true,
            },
          );
        case 'mismatch':
          throw new HubError(
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was already used with a different request.',
          );
      }
    },
    after: async (request) => {
      const claim = claims.get(request.context);
      if (!claim || !request.response || answeredInline.has(request.context)) return;
      const { statusCode, headers, body } = request.response;
      if (statusCode >= 500) await releaseIdempotencyKey(claim.scope, claim.key, claim.fingerprint);
      else
        await completeIdempotencyKey(claim.scope, claim.key, claim.fingerprint, {
          statusCode,
          headers,
          body,
        });
    },
    onError: async (request) => {
      const claim = claims.get(request.context);
      if (!claim) return;
      const error = request.error;
      try {
        if (error instanceof HubError && !error.retryable && statusOf(error.code) < 500) {
          const { statusCode, headers, body } = problemResponse(error, request.context.requestId);
          await completeIdempotencyKey(claim.scope, claim.key, claim.fingerprint, {
            statusCode,
            headers,
            body,
          });
        } else {
          await releaseIdempotencyKey(claim.scope, claim.key, claim.fingerprint);
        }
      } catch (storeError) {
        // The claim's lease runs out on its own; the request's own error is what the caller must see.
        log.error('idempotency record not updated', { error: storeError });
      }
    },
  };
}

/** The caller's Idempotency-Key header, scoped to its API key; undefined without one. */
function headerKey(event: HttpEvent, context: HubContext): { scope: string; key: string } | undefined {
  const key = header(event, 'idempotency-key');
  if (key === undefined) return undefined;
  if (!VALID_KEY.test(key)) {
    throw new ValidationError('The Idempotency-Key header is not valid.', [
      { path: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters' },
    ]);
  }
  return { scope: context.caller.keyId, key };
}

/**
 * For a handler whose last order write can carry the Idempotency-Key's answer: `riding` (for the
 * domain) builds that write from the order and operation the request answers with, and
 * `answer(outcome)` is the response to send: the very one stored when it rode (the middleware
 * then stores nothing more), else `respond`'s, which the middleware stores as usual. Without a
 * key, `riding` is undefined.
 */
export function ridingAnswer(
  context: HubContext,
  respond: (order: Order, operation: Operation | undefined) => HttpResult,
): { riding?: RidingWriteFor; answer(outcome: OperationOutcome): HttpResult } {
  const claim = claims.get(context);
  let last: { response: HttpResult; rider: RidingWrite } | undefined;
  const riding: RidingWriteFor | undefined = claim
    ? (order, operation) => {
        const response = respond(order, operation);
        const { statusCode, headers, body } = response;
        const rider = completionRider(claim.scope, claim.key, claim.fingerprint, {
          statusCode,
          headers,
          body,
        });
        last = { response, rider };
        return rider;
      }
    : undefined;
  return {
    ...(riding ? { riding } : {}),
    answer(outcome) {
      if (last?.rider.rode) {
        answeredInline.add(context);
        return last.response;
      }
      return respond(outcome.order, outcome.operation);
    },
  };
}
