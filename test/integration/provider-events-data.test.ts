import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { db, TABLE_NAME } from '#shared/data/client.ts';
import {
  isProviderEventDuplicate,
  PROVIDER_EVENT_TTL_SECONDS,
  providerEventPut,
  recordProviderEvent,
} from '#shared/data/provider-events.ts';
import { uniqueId } from '../support/ids.ts';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const T0_SECONDS = Math.floor(T0.getTime() / 1000);

async function readEvent(provider: string, eventId: string) {
  const { Item } = await db.send(
    new GetCommand({
      TableName: TABLE_NAME,
      Key: { PK: `PROVIDER_EVENT#${provider}#${eventId}`, SK: 'PROVIDER_EVENT' },
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** Another item written in the same transaction as the event, standing for the order change. */
function effectPut(id: string) {
  return { Put: { TableName: TABLE_NAME, Item: { PK: `TEST#${id}`, SK: 'TEST', entity: 'test' } } };
}

async function effectExists(id: string): Promise<boolean> {
  const { Item } = await db.send(
    new GetCommand({ TableName: TABLE_NAME, Key: { PK: `TEST#${id}`, SK: 'TEST' }, ConsistentRead: true }),
  );
  return Item !== undefined;
}

describe('provider events on DynamoDB Local', () => {
  it('the same event recorded five times at once is new exactly once', async () => {
    // Prepare
    const eventId = uniqueId('evt');
    // Act
    const results = await Promise.all(
      Array.from({ length: 5 }, () => recordProviderEvent('affirm', eventId, T0)),
    );
    // Assess
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(results.filter((r) => r.duplicate)).toHaveLength(4);
    expect(await recordProviderEvent('affirm', eventId, T0)).toEqual({ duplicate: true });
  });

  it('a different event id, or the same id from another provider, is new', async () => {
    const eventId = uniqueId('evt');
    expect(await recordProviderEvent('affirm', eventId, T0)).toEqual({ duplicate: false });
    expect(await recordProviderEvent('affirm', uniqueId('evt'), T0)).toEqual({ duplicate: false });
    expect(await recordProviderEvent('lyra', eventId, T0)).toEqual({ duplicate: false });
  });

  it('sets the TTL attribute, 30 days by default or as asked, and keeps the order id', async () => {
    const byDefault = uniqueId('evt');
    const short = uniqueId('evt');
    await recordProviderEvent('affirm', byDefault, T0);
    await recordProviderEvent('affirm', short, T0, { ttlSeconds: 3600, orderId: 'ord_1' });

    expect((await readEvent('affirm', byDefault))?.expiresAt).toBe(T0_SECONDS + PROVIDER_EVENT_TTL_SECONDS);
    expect(PROVIDER_EVENT_TTL_SECONDS).toBe(30 * 24 * 3600);
    const item = await readEvent('affirm', short);
    expect(item?.expiresAt).toBe(T0_SECONDS + 3600);
    expect(item?.orderId).toBe('ord_1');
  });

  it('in a transaction with another put, refuses a duplicate and writes neither item', async () => {
    // Prepare: the event is applied once, with its effect
    const eventId = uniqueId('evt');
    const first = uniqueId('effect');
    await db.send(
      new TransactWriteCommand({
        TransactItems: [effectPut(first), providerEventPut('affirm', eventId, T0)],
      }),
    );
    expect(await effectExists(first)).toBe(true);

    // Act: a redelivery tries to apply it again
    const second = uniqueId('effect');
    const error = await db
      .send(
        new TransactWriteCommand({
          TransactItems: [effectPut(second), providerEventPut('affirm', eventId, T0)],
        }),
      )
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );

    // Assess
    expect(isProviderEventDuplicate(error, 1)).toBe(true);
    expect(isProviderEventDuplicate(error, 0)).toBe(false);
    expect(await effectExists(second)).toBe(false);
  });
});
