import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';

const { tableName, endpoint, connectTimeoutMs, requestTimeoutMs, maxAttempts } = tableConfig();

/** The table every data module reads and writes. */
export const TABLE_NAME = tableName;

/**
 * The container's one DocumentClient, built at load (Lambda init) like the floor the bench compares with.
 * Every call is bounded (config.ts): the SDK's defaults would wait minutes on a stalled connection.
 * A call that runs out of time fails with the SDK's TimeoutError, which the caller sees as a 503
 * STORAGE_UNAVAILABLE problem (shared/data/unavailable.ts).
 */
export const db = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    maxAttempts,
    requestHandler: {
      connectionTimeout: connectTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Without it, the handler only warns when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);

/** True for the SDK's "condition failed" error on a single-item write. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** For TransactWriteItems: true when the item at `index` failed its condition. */
export function transactionConditionFailed(error: unknown, index: number): boolean {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons[index]?.Code === 'ConditionalCheckFailed';
}

/**
 * For TransactWriteItems: true when DynamoDB cancelled the transaction because another write on
 * one of its items was in progress (TransactionConflict). Like a failed condition, it means "the
 * order changed under you": the caller re-reads and decides again.
 */
export function transactionConflicted(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'TransactionConflict');
}
