/**
 * Provider events seen (Affirm webhooks, Lyra IPNs): the dedupe record of the notification seam.
 *
 * Access pattern: one item per (provider, event id), PK = PROVIDER_EVENT#<provider>#<eventId>,
 * written by a Put conditional on `attribute_not_exists(PK)`: the first writer wins, every later
 * or concurrent one learns it is a duplicate. Two ways to write it:
 *   recordProviderEvent   the Put on its own
 *   providerEventPut      the same Put as a TransactWriteItems entry, beside the order change the
 *                         event causes: the event is then never recorded as seen without its effect
 *                         (isProviderEventDuplicate reads that entry's failure)
 * Records live PROVIDER_EVENT_TTL_SECONDS (TTL attribute `expiresAt`).
 */

import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure, TABLE_NAME, transactionConditionFailed } from './client.ts';
import { TABLE } from './table.ts';

/**
 * 30 days. Redeliveries come far sooner (Lyra retries for about an hour, Affirm's retry, if any,
 * re-signs at once, and both back offices can resend by hand), so a month is a wide margin; it also
 * matches the 30-day life of an Affirm authorization, after which an old event can change nothing.
 * Items are a few dozen bytes, so the margin costs almost nothing. Until DynamoDB actually deletes an
 * expired record it still reads as a duplicate: the safe direction for money.
 */
export const PROVIDER_EVENT_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Only the first write of an event succeeds. */
const IF_NEW = 'attribute_not_exists(PK)';

/** A provider name is a fixed lower-case word, so it cannot contain the `#` that ends it in the key. */
const PROVIDER_NAME = /^[a-z0-9-]+$/;

export interface ProviderEventOptions {
  /** Defaults to PROVIDER_EVENT_TTL_SECONDS. */
  ttlSeconds?: number;
  /** The order the event concerns, when known: kept on the record for investigations. */
  orderId?: string;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

function key(provider: string, eventId: string) {
  if (!PROVIDER_NAME.test(provider)) throw new Error(`invalid provider name: ${JSON.stringify(provider)}`);
  if (eventId === '') throw new Error('a provider event id must not be empty');
  return { PK: `PROVIDER_EVENT#${provider}#${eventId}`, SK: 'PROVIDER_EVENT' };
}

/**
 * The conditional Put of a provider event, as a TransactWriteItems entry. Put it in the same
 * transaction as the change the event causes; a duplicate then cancels the whole transaction, and
 * `isProviderEventDuplicate(error, <its index>)` says so.
 *
 * @param eventId the provider's id for the notification, the same on every redelivery
 * @throws Error when `provider` is not a lower-case word or `eventId` is empty (programming errors)
 */
export function providerEventPut(
  provider: string,
  eventId: string,
  now: Date,
  options: ProviderEventOptions = {},
): TransactItem & { Put: NonNullable<TransactItem['Put']> } {
  const ttlSeconds = options.ttlSeconds ?? PROVIDER_EVENT_TTL_SECONDS;
  return {
    Put: {
      TableName: TABLE_NAME,
      Item: {
        ...key(provider, eventId),
        entity: 'provider_event',
        provider,
        eventId,
        receivedAt: now.toISOString(),
        ...(options.orderId ? { orderId: options.orderId } : {}),
        [TABLE.ttlAttribute]: Math.floor(now.getTime() / 1000) + ttlSeconds,
      },
      ConditionExpression: IF_NEW,
    },
  };
}

/**
 * Records that the event was received. `{ duplicate: true }` when it was recorded before (or is
 * being recorded at this moment by a concurrent delivery); never throws for a duplicate.
 *
 * @throws the SDK's error for anything else (a timeout is a 503 STORAGE_UNAVAILABLE upstream)
 */
export async function recordProviderEvent(
  provider: string,
  eventId: string,
  now: Date,
  options: ProviderEventOptions = {},
): Promise<{ duplicate: boolean }> {
  try {
    await db.send(new PutCommand(providerEventPut(provider, eventId, now, options).Put));
    return { duplicate: false };
  } catch (error) {
    if (isConditionFailure(error)) return { duplicate: true };
    throw error;
  }
}

/**
 * True when a TransactWriteItems failed because its provider-event entry, at `index` in
 * TransactItems, was already recorded: the event is a duplicate and nothing in the transaction
 * was written.
 */
export function isProviderEventDuplicate(error: unknown, index: number): boolean {
  return transactionConditionFailed(error, index);
}
