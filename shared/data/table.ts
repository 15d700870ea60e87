/**
 * The hub's single DynamoDB table, defined once: the CDK stack and the local stack
 * (DynamoDB Local) both build it from this description.
 *
 * Items (see docs/data-model.md for the access patterns):
 *   ORDER#<orderId>             ORDER                      order root: amounts, version
 *   ORDER#<orderId>             PAYMENT                    the provider's payment data
 *   ORDER#<orderId>             OP#<operationId>           one per capture/refund/void, with its state and the caller's key
 *   ORDER#<orderId>             REFUND#<refundId>          one per refund
 *   REF#<provider>#<ref>        REF                        provider reference (Affirm checkout id) -> orderId
 *   ORDER#<orderId>             EVENT#<version>#<n>        append-only event log
 *   IDEMPOTENCY#<scope>#<key>   IDEMPOTENCY                Idempotency-Key record (TTL)
 *   PROVIDER_EVENT#<provider>#<eventId>  PROVIDER_EVENT   a provider notification seen once (TTL 30 days)
 *   APIKEY#<sha256>             APIKEY                     hashed API key (GSI1: listing by key id)
 */

export const TABLE = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** API key listing: sparse, only items that carry GSI1PK appear. */
  gsi1: { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  /** Epoch seconds; DynamoDB deletes the item some time after. Readers still check it. */
  ttlAttribute: 'expiresAt',
  /**
   * On an order's payment item while a storefront (Snipcart) awaits its first word of an
   * authorized payment: the table stream's filter wakes the reconciler on it (infra/stack.ts).
   */
  storefrontToTell: 'storefrontToTell',
} as const;

/** CreateTable input for DynamoDB Local and tests; the CDK stack maps the same constants. */
export function createTableInput(tableName: string) {
  const { partitionKey, sortKey, gsi1 } = TABLE;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey].map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' as const },
      { AttributeName: sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: gsi1.indexName,
        KeySchema: [
          { AttributeName: gsi1.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: gsi1.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
      },
    ],
  };
}
