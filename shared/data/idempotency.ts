/**
 * Idempotency-Key records (API.md, Conventions).
 *
 * Access pattern: one item per (caller, key), PK = IDEMPOTENCY#<scope>#<key>.
 *   claim     Put if absent, expired, or the same request's (released, or in_progress with its lease
 *             run out), else return the old item
 *   complete  Update in_progress -> completed with the response to replay
 *   release   Update in_progress -> released, so the same request may run again at once (retryable
 *             failures); the record keeps its fingerprint, so another request under the key is
 *             still refused (a 502's retry with a different body must not pass for the first)
 * Records live 24 h (TTL attribute, also checked on read because TTL deletion lags).
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { RidingWrite } from '../domain/ports.ts';
import { db, isConditionFailure, TABLE_NAME } from './client.ts';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type ClaimResult =
  | { outcome: 'claimed' }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'in_progress' }
  | { outcome: 'mismatch' };

const key = (scope: string, idempotencyKey: string) => ({
  PK: `IDEMPOTENCY#${scope}#${idempotencyKey}`,
  SK: 'IDEMPOTENCY',
});

/**
 * Claims the key for a request identified by `fingerprint`. A record left in_progress by
 * a request that died is taken over once its lease has run out, but only by the same request.
 */
export async function claimIdempotencyKey(
  scope: string,
  idempotencyKey: string,
  fingerprint: string,
  now: Date,
  leaseMs: number,
  /** How long the answer is replayed: 24 h for Idempotency-Key, shorter for a route's own window. */
  ttlSeconds = IDEMPOTENCY_TTL_SECONDS,
): Promise<ClaimResult> {
  const nowMs = now.getTime();
  try {
    await db.send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: {
          ...key(scope, idempotencyKey),
          entity: 'idempotency',
          status: 'in_progress',
          fingerprint,
          leaseUntil: nowMs + leaseMs,
          createdAt: now.toISOString(),
          expiresAt: Math.floor(nowMs / 1000) + ttlSeconds,
        },
        ConditionExpression:
          'attribute_not_exists(PK) OR expiresAt < :nowSeconds OR (fingerprint = :fingerprint AND (#status = :released OR (#status = :inProgress AND leaseUntil < :nowMs)))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':nowSeconds': Math.floor(nowMs / 1000),
          ':nowMs': nowMs,
          ':inProgress': 'in_progress',
          ':released': 'released',
          ':fingerprint': fingerprint,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { outcome: 'claimed' };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // The document client does not unmarshall the item carried by a conditional-check failure.
    const raw = (error as { Item?: Record<string, AttributeValue> }).Item;
    if (!raw) return { outcome: 'in_progress' };
    const old = unmarshall(raw);
    if (old.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    if (old.status === 'completed' && old.response)
      return { outcome: 'replay', response: old.response as StoredResponse };
    return { outcome: 'in_progress' };
  }
}

/** The completion of a claim: in_progress -> completed with the response to replay, if still this request's. */
function completion(scope: string, idempotencyKey: string, fingerprint: string, response: StoredResponse) {
  return {
    TableName: TABLE_NAME,
    Key: key(scope, idempotencyKey),
    UpdateExpression: 'SET #status = :completed, #response = :response REMOVE leaseUntil',
    ConditionExpression: '#status = :inProgress AND fingerprint = :fingerprint',
    ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
    ExpressionAttributeValues: {
      ':completed': 'completed',
      ':inProgress': 'in_progress',
      ':fingerprint': fingerprint,
      ':response': response,
    },
  };
}

/** Stores the response to replay. Conditional, so a record taken over by a retry is not overwritten. */
export async function completeIdempotencyKey(
  scope: string,
  idempotencyKey: string,
  fingerprint: string,
  response: StoredResponse,
): Promise<void> {
  try {
    await db.send(new UpdateCommand(completion(scope, idempotencyKey, fingerprint, response)));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * The same completion as a write that rides in the order's last transaction (one round trip
 * fewer, and the answer is stored exactly when the order change is). If its condition fails,
 * the order write is retried without it (shared/data/order-operations.ts).
 */
export function completionRider(
  scope: string,
  idempotencyKey: string,
  fingerprint: string,
  response: StoredResponse,
): RidingWrite {
  return { item: { Update: completion(scope, idempotencyKey, fingerprint, response) } };
}

/** Releases an in-progress claim so that the same request may be retried at once (and only it). */
export async function releaseIdempotencyKey(
  scope: string,
  idempotencyKey: string,
  fingerprint: string,
): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: key(scope, idempotencyKey),
        UpdateExpression: 'SET #status = :released REMOVE leaseUntil',
        ConditionExpression: '#status = :inProgress AND fingerprint = :fingerprint',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':inProgress': 'in_progress',
          ':released': 'released',
          ':fingerprint': fingerprint,
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
