/**
 * The route bench (scripts/route-costs.ts, `npm run bench:routes`) counts the DynamoDB requests
 * the hub sends while it answers: on a stack of its own in this process (the suite's DynamoDB
 * Local and table), one round of the flow it measures. Never a timing; the counts are checked
 * against the documented minimum, so a change that adds a round trip to a route fails here.
 */

import { describe, expect, it } from 'vitest';
import { DOCUMENTED_MINIMUM } from '../../scripts/bench-routes.ts';
import { totalRequests } from '../../scripts/dynamodb-requests.ts';
import { measureRouteCosts, OPERATIONS } from '../../scripts/route-costs.ts';

describe('route bench', () => {
  it("counts the hub's DynamoDB requests per route, the API-key lookup included", async () => {
    const samples = await measureRouteCosts({
      rounds: 1,
      warmup: 0,
      dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT,
      tableName: process.env.TABLE_NAME,
    });

    for (const { id } of OPERATIONS) expect(samples.get(id), id).toHaveLength(1);
    const counts = (id: (typeof OPERATIONS)[number]['id']) => samples.get(id)?.[0]?.dynamodb ?? {};
    // Every route that uses the table was seen using it (health and Snipcart's methods have none).
    for (const { id } of OPERATIONS.filter((o) => DOCUMENTED_MINIMUM[o.id].requests > 0))
      expect(totalRequests(counts(id)), id).toBeGreaterThan(0);
    for (const { id } of OPERATIONS.filter((o) => !('apiKey' in o)))
      expect(counts(id).GetItemCommand, `${id}: the API-key lookup`).toBeGreaterThanOrEqual(1);
    // The IPN is authenticated by Lyra's signature: no key lookup.
    expect(counts('lyra-ipn').GetItemCommand).toBeUndefined();
    expect(counts('get').QueryCommand).toBeGreaterThanOrEqual(1);
    expect(counts('create').TransactWriteItemsCommand).toBeGreaterThanOrEqual(1);
    expect(counts('refund-keyed').PutItemCommand, 'the Idempotency-Key claim').toBeGreaterThanOrEqual(1);
    expect(counts('health')).toEqual({});
    // No route sends more requests than its documented minimum.
    for (const { id } of OPERATIONS)
      expect(totalRequests(counts(id)), id).toBe(DOCUMENTED_MINIMUM[id].requests);
  }, 60_000);
});
