/**
 * Orders in the single table. One partition per order; one item per aggregate part.
 *
 * Access patterns:
 *   read an order            Query PK = ORDER#<id> (consistent)                 get()
 *   find by Affirm checkout  Query GSI1 GSI1PK = AFFIRM_CHECKOUT#<id>, then get() findByAffirmCheckout()
 *   create                   TransactWrite: root attribute_not_exists(PK) + AFFIRM part   insert()
 *   change                   root Put with version = <read version> (+ parts, events, refund in one transaction) save()
 */

import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AffirmOrder, Order, OrderEvent, PendingOperation, RefundRecord } from '../domain/order.ts';
import type { OrderRepository } from '../domain/ports.ts';
import { ConcurrentUpdateError } from '../errors.ts';
import { db, isConditionFailure, TABLE_NAME, transactionConditionFailed } from './client.ts';
import { TABLE } from './table.ts';

type Item = Record<string, NativeAttributeValue>;

const ROOT = 'ORDER';
const AFFIRM = 'AFFIRM';
const REFUND = 'REFUND#';
const EVENT = 'EVENT#';

const orderPk = (orderId: string) => `ORDER#${orderId}`;
const checkoutRef = (checkoutId: string) => `AFFIRM_CHECKOUT#${checkoutId}`;
const eventSk = (version: number, index: number) =>
  `${EVENT}${String(version).padStart(10, '0')}#${String(index).padStart(3, '0')}`;

const VERSION_UNCHANGED = {
  ConditionExpression: '#version = :expected',
  ExpressionAttributeNames: { '#version': 'version' },
};

function rootItem(order: Order): Item {
  const {
    refunds: _refunds,
    events: _events,
    checkout: _checkout,
    authorization: _authorization,
    ...root
  } = order;
  return { PK: orderPk(order.orderId), SK: ROOT, entity: 'order', ...root };
}

function affirmItem(order: AffirmOrder): Item {
  const { checkoutId } = order.checkout;
  return {
    PK: orderPk(order.orderId),
    SK: AFFIRM,
    entity: 'affirm-checkout',
    checkout: order.checkout,
    authorization: order.authorization,
    ...(checkoutId
      ? { [TABLE.gsi1.partitionKey]: checkoutRef(checkoutId), [TABLE.gsi1.sortKey]: orderPk(order.orderId) }
      : {}),
  };
}

function fromItems(items: Item[]): Order | undefined {
  const root = items.find((item) => item.SK === ROOT);
  const affirm = items.find((item) => item.SK === AFFIRM);
  if (!root || !affirm) return undefined;
  const { PK: _pk, SK: _sk, entity: _entity, ...fields } = root;
  const refunds: RefundRecord[] = items
    .filter((item) => String(item.SK).startsWith(REFUND))
    .map(({ refundId, amount, createdAt, reason, providerRefundId }) => ({
      refundId,
      amount,
      createdAt,
      ...(reason ? { reason } : {}),
      ...(providerRefundId ? { providerRefundId } : {}),
    }))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  const events: OrderEvent[] = items
    .filter((item) => String(item.SK).startsWith(EVENT))
    .map(({ at, type, detail }) => (detail ? { at, type, detail } : { at, type }));
  return {
    ...(fields as Omit<AffirmOrder, 'checkout' | 'refunds' | 'events'>),
    pending: fields.pending as PendingOperation | undefined,
    checkout: affirm.checkout,
    ...(affirm.authorization ? { authorization: affirm.authorization } : {}),
    refunds,
    events,
  };
}

async function queryPartition(orderId: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': orderPk(orderId) },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export const orderRepository: OrderRepository = {
  async insert(order) {
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: TABLE_NAME,
                Item: rootItem(order),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            { Put: { TableName: TABLE_NAME, Item: affirmItem(order) } },
          ],
        }),
      );
      return { created: true };
    } catch (error) {
      if (!transactionConditionFailed(error, 0)) throw error;
      const existing = await this.get(order.orderId);
      if (!existing) throw new ConcurrentUpdateError('the order was removed while being created');
      return { created: false, existing };
    }
  },

  async get(orderId) {
    return fromItems(await queryPartition(orderId));
  },

  async findByAffirmCheckout(checkoutId) {
    // GSI reads are eventually consistent: a checkout created a few milliseconds ago may not be
    // found yet. The partition read that follows is consistent.
    const result = await db.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        IndexName: TABLE.gsi1.indexName,
        KeyConditionExpression: '#pk = :ref',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
        ExpressionAttributeValues: { ':ref': checkoutRef(checkoutId) },
        Limit: 1,
      }),
    );
    const pk = result.Items?.[0]?.PK as string | undefined;
    return pk ? this.get(pk.slice('ORDER#'.length)) : undefined;
  },

  async save({ previous, next, events, refund }) {
    const root = {
      TableName: TABLE_NAME,
      Item: rootItem(next),
      ...VERSION_UNCHANGED,
      ExpressionAttributeValues: { ':expected': previous.version },
    };
    const parts: Item[] = [];
    const affirm = affirmItem(next);
    if (JSON.stringify(affirm) !== JSON.stringify(affirmItem(previous)))
      parts.push({ Put: { TableName: TABLE_NAME, Item: affirm } });
    events.forEach((e, index) => {
      const Item = { PK: orderPk(next.orderId), SK: eventSk(next.version, index), entity: 'event', ...e };
      parts.push({ Put: { TableName: TABLE_NAME, Item, ConditionExpression: 'attribute_not_exists(SK)' } });
    });
    if (refund) {
      const Item = {
        PK: orderPk(next.orderId),
        SK: `${REFUND}${refund.refundId}`,
        entity: 'refund',
        ...refund,
      };
      parts.push({ Put: { TableName: TABLE_NAME, Item, ConditionExpression: 'attribute_not_exists(SK)' } });
    }
    try {
      if (parts.length === 0) await db.send(new PutCommand(root));
      else await db.send(new TransactWriteCommand({ TransactItems: [{ Put: root }, ...parts] }));
    } catch (error) {
      if (isConditionFailure(error) || transactionConditionFailed(error, 0))
        throw new ConcurrentUpdateError();
      throw error;
    }
    return next;
  },

  async remove(order) {
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: TABLE_NAME,
                Key: { PK: orderPk(order.orderId), SK: ROOT },
                ...VERSION_UNCHANGED,
                ExpressionAttributeValues: { ':expected': order.version },
              },
            },
            { Delete: { TableName: TABLE_NAME, Key: { PK: orderPk(order.orderId), SK: AFFIRM } } },
          ],
        }),
      );
    } catch (error) {
      // Someone else moved the reservation on; it is theirs now.
      if (!transactionConditionFailed(error, 0)) throw error;
    }
  },
};
