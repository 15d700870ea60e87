/**
 * API keys, stored hashed: the table never holds a usable key.
 *
 * Access patterns:
 *   authenticate   GetItem PK = APIKEY#<sha256(key)> (consistent, so a revocation is seen at once)
 *   list           Query GSI1 GSI1PK = APIKEYS
 *   revoke by id   Query GSI1 GSI1PK = APIKEYS, GSI1SK = <keyId>, then Update revokedAt
 */

import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure, TABLE_NAME } from './client.ts';
import { TABLE } from './table.ts';

export interface ApiKeyRecord {
  keyId: string;
  role: 'location' | 'admin';
  location?: string;
  label: string;
  createdAt: string;
  revokedAt?: string;
}

const LISTING = 'APIKEYS';
const keyOf = (keyHash: string) => ({ PK: `APIKEY#${keyHash}`, SK: 'APIKEY' });

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  const { keyId, role, location, label, createdAt, revokedAt } = item as unknown as ApiKeyRecord;
  return {
    keyId,
    role,
    label,
    createdAt,
    ...(location ? { location } : {}),
    ...(revokedAt ? { revokedAt } : {}),
  };
}

export async function findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
  const { Item } = await db.send(
    new GetCommand({ TableName: TABLE_NAME, Key: keyOf(keyHash), ConsistentRead: true }),
  );
  return Item ? toRecord(Item) : undefined;
}

/** Stores a new key. Returns false if a key with this hash already exists (the record is left untouched). */
export async function putApiKey(keyHash: string, record: ApiKeyRecord): Promise<boolean> {
  try {
    await db.send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: {
          ...keyOf(keyHash),
          entity: 'api-key',
          ...record,
          [TABLE.gsi1.partitionKey]: LISTING,
          [TABLE.gsi1.sortKey]: record.keyId,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

async function listingKeys(keyId?: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        IndexName: TABLE.gsi1.indexName,
        KeyConditionExpression: keyId ? '#pk = :listing AND #sk = :keyId' : '#pk = :listing',
        ExpressionAttributeNames: {
          '#pk': TABLE.gsi1.partitionKey,
          ...(keyId ? { '#sk': TABLE.gsi1.sortKey } : {}),
        },
        ExpressionAttributeValues: { ':listing': LISTING, ...(keyId ? { ':keyId': keyId } : {}) },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export async function listApiKeys(): Promise<ApiKeyRecord[]> {
  const records: ApiKeyRecord[] = [];
  for (const ref of await listingKeys()) {
    const { Item } = await db.send(
      new GetCommand({ TableName: TABLE_NAME, Key: { PK: ref.PK, SK: ref.SK } }),
    );
    if (Item) records.push(toRecord(Item));
  }
  return records;
}

/** Marks the key revoked. Returns false when no key has this id. */
export async function revokeApiKey(keyId: string, now: Date): Promise<boolean> {
  const [ref] = await listingKeys(keyId);
  if (!ref) return false;
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: { PK: ref.PK, SK: ref.SK },
      UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':now': now.toISOString() },
    }),
  );
  return true;
}
