/**
 * Orders in the single table. One partition per order; one item per aggregate part.
 *
 * Access patterns:
 *   read an order            Query PK = ORDER#<id> (consistent)                                  get()
 *   find by provider ref     GetItem REF#<provider>#<ref> (consistent), then get()              findByProviderRef()
 *   create                   TransactWrite: root attribute_not_exists(PK) + AFFIRM part          insert()
 *   change                   root Put with version = <read version>, in one transaction with the parts,
 *                            operations, events, refund and provider ref it writes                save()
 */

import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AffirmOrder, Operation, Order, OrderEvent, RefundRecord } from '../domain/order.ts';
import type { OrderRepository } from '../domain/ports.ts';
import { ConcurrentUpdateError } from '../errors.ts';
import {
  db,
  isConditionFailure,
  TABLE_NAME,
  transactionConditionFailed,
  transactionConflicted,
} from './client.ts';

type Item = Record<string, NativeAttributeValue>;

const ROOT = 'ORDER';
const AFFIRM = 'AFFIRM';
const REFUND = 'REFUND#';
const EVENT = 'EVENT#';
const OPERATION = 'OP#';
const PROVIDER_REF = 'REF';

const orderPk = (orderId: string) => `ORDER#${orderId}`;
const providerRefKey = (provider: string, ref: string) => ({
  PK: `REF#${provider}#${ref}`,
  SK: PROVIDER_REF,
});
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
    operations: _operations,
    ...root
  } = order;
  return { PK: orderPk(order.orderId), SK: ROOT, entity: 'order', ...root };
}

function affirmItem(order: AffirmOrder): Item {
  return {
    PK: orderPk(order.orderId),
    SK: AFFIRM,
    entity: 'affirm-checkout',
    checkout: order.checkout,
    authorization: order.authorization,
  };
}

function operationItem(orderId: string, operation: Operation): Item {
  return {
    PK: orderPk(orderId),
    SK: `${OPERATION}${operation.operationId}`,
    entity: 'operation',
    ...operation,
  };
}

/**
 * The provider-reference item of an order that has just received one, else undefined. Written
 * in the same transaction as the order, so the reference finds the order as soon as it exists.
 * Its condition refuses a reference already owned by another order.
 */
function newProviderRef(previous: Order, next: Order): Item | undefined {
  const ref = next.checkout.checkoutId;
  if (!ref || ref === previous.checkout.checkoutId) return undefined;
  return {
    Put: {
      TableName: TABLE_NAME,
      Item: { ...providerRefKey(next.provider, ref), entity: 'provider-ref', orderId: next.orderId },
      ConditionExpression: 'attribute_not_exists(PK) OR orderId = :orderId',
      ExpressionAttributeValues: { ':orderId': next.orderId },
    },
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
  const operations = items
    .filter((item) => String(item.SK).startsWith(OPERATION))
    .map(({ PK: _pk, SK: _sk, entity: _entity, ...operation }) => operation as Operation)
    .sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  return {
    ...(fields as Omit<AffirmOrder, 'checkout' | 'refunds' | 'events' | 'operations'>),
    checkout: affirm.checkout,
    ...(affirm.authorization ? { authorization: affirm.authorization } : {}),
    operations,
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

  async findByProviderRef(provider, ref) {
    const result = await db.send(
      new GetCommand({ TableName: TABLE_NAME, Key: providerRefKey(provider, ref), ConsistentRead: true }),
    );
    const orderId = result.Item?.orderId as string | undefined;
    return orderId ? this.get(orderId) : undefined;
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
    const ref = newProviderRef(previous, next);
    if (ref) parts.push(ref);
    const before = new Map(previous.operations.map((op) => [op.operationId, JSON.stringify(op)]));
    for (const operation of next.operations) {
      if (before.get(operation.operationId) !== JSON.stringify(operation))
        parts.push({ Put: { TableName: TABLE_NAME, Item: operationItem(next.orderId, operation) } });
    }
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
      if (isConditionFailure(error) || transactionConditionFailed(error, 0) || transactionConflicted(error))
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
