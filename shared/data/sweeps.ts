/**
 * The sweeps' lists, from GSI1 (keys only, eventually consistent: a sweep re-reads every order it
 * acts on, so an entry a few milliseconds stale costs nothing but a read). Entries are written by
 * order-items.ts with the items they index.
 *
 * Access patterns:
 *   orders whose payment is due a look at the provider   Query GSI1 RECONCILE#payment, GSI1SK <= now
 *   orders with an operation in flight past its due time Query GSI1 RECONCILE#operation, GSI1SK <= now
 *   authorizations expiring before a date                Query GSI1 EXPIRING, GSI1SK <= date
 */

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SweepRepository } from '../domain/ports.ts';
import { db, TABLE_NAME } from './client.ts';
import { SWEEPS } from './order-items.ts';
import { TABLE } from './table.ts';

/** Order ids listed under `sweep` with a sort key up to `until` (inclusive of that instant), oldest first, distinct. */
async function listUntil(sweep: string, until: Date, limit: number): Promise<string[]> {
  const result = await db.send(
    new QueryCommand({
      TableName: TABLE_NAME,
      IndexName: TABLE.gsi1.indexName,
      KeyConditionExpression: '#pk = :sweep AND #sk <= :until',
      ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey, '#sk': TABLE.gsi1.sortKey },
      // '~' sorts after '#' and every id character: everything dated at `until` is included.
      ExpressionAttributeValues: { ':sweep': sweep, ':until': `${until.toISOString()}~` },
      Limit: limit,
    }),
  );
  const ids = (result.Items ?? []).map((item) => String(item.PK).slice('ORDER#'.length));
  return [...new Set(ids)];
}

export function ordersDueForProviderLook(now: Date, limit = 50): Promise<string[]> {
  return listUntil(SWEEPS.payment, now, limit);
}

export function ordersWithOperationsDue(now: Date, limit = 50): Promise<string[]> {
  return listUntil(SWEEPS.operation, now, limit);
}

export function authorizationsExpiringBy(until: Date, limit = 200): Promise<string[]> {
  return listUntil(SWEEPS.expiring, until, limit);
}

/** The sweeps' lists as the domain's SweepRepository. */
export const sweepRepository: SweepRepository = {
  ordersDueForProviderLook,
  ordersWithOperationsDue,
  authorizationsExpiringBy,
};

/** The orders a DynamoDB stream batch touched (from the items' keys), for the reconciler's stream trigger. */
export function orderIdsOfStreamRecords(
  records: { dynamodb?: { Keys?: Record<string, { S?: string }> } }[],
): string[] {
  const ids = records
    .map((record) => record.dynamodb?.Keys?.PK?.S)
    .filter((pk): pk is string => typeof pk === 'string' && pk.startsWith('ORDER#'))
    .map((pk) => pk.slice('ORDER#'.length));
  return [...new Set(ids)];
}
