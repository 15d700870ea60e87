/**
 * Orders in the single table (items and keys: order-items.ts). One partition per order.
 *
 * Access patterns:
 *   read an order          Query PK = ORDER#<id> (consistent)                                    get()
 *   find by provider ref   GetItem REF#<provider>#<ref> (consistent), then get()                findByProviderRef()
 *   create                 TransactWrite: root attribute_not_exists(PK) + payment item           insert()
 *   replace order data     TransactWrite: root Put with version = <read version> + the payment
 *                          item, new provider refs and events it writes                       save()
 *   begin an operation     TransactWrite: root Update (ADD balances, if the balance suffices and
 *                          no exclusive operation holds the order) + operation Put if absent     beginOperation()
 *   move an operation on   TransactWrite: operation Put if still as expected + root Update (ADD)
 *                          + refund / shipment / events                                         updateOperation()
 */

import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../domain/order.ts';
import { providerRefs } from '../domain/payments.ts';
import type { OrderRepository } from '../domain/ports.ts';
import { ConcurrentUpdateError, DuplicateEventError } from '../errors.ts';
import {
  db,
  isConditionFailure,
  TABLE_NAME,
  transactionConditionFailed,
  transactionConflicted,
} from './client.ts';
import {
  eventPuts,
  type Item,
  orderFromItems,
  orderPk,
  paymentItem,
  paymentKey,
  providerRefKey,
  rootItem,
  rootKey,
} from './order-items.ts';
import { beginOperation, updateOperation } from './order-operations.ts';
import { isProviderEventDuplicate, providerEventPut } from './provider-events.ts';

const VERSION_UNCHANGED = {
  ConditionExpression: '#version = :expected',
  ExpressionAttributeNames: { '#version': 'version' },
};

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

/**
 * The provider-reference items an order that has just received references needs. Written in
 * the same transaction as the order, so a reference finds the order as soon as it exists; the
 * condition refuses a reference already owned by another order.
 */
function newProviderRefs(previous: Order | undefined, next: Order): Item[] {
  const known = new Set(previous ? providerRefs(previous) : []);
  return providerRefs(next)
    .filter((ref) => !known.has(ref))
    .map((ref) => ({
      Put: {
        TableName: TABLE_NAME,
        Item: { ...providerRefKey(next.provider, ref), entity: 'provider-ref', orderId: next.orderId },
        ConditionExpression: 'attribute_not_exists(PK) OR orderId = :orderId',
        ExpressionAttributeValues: { ':orderId': next.orderId },
      },
    }));
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
            { Put: { TableName: TABLE_NAME, Item: paymentItem(order) } },
            // An order may be born with references (Lyra's pay page token): findable at once.
            ...newProviderRefs(undefined, order),
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
    return orderFromItems(await queryPartition(orderId));
  },

  async findByProviderRef(provider, ref) {
    const result = await db.send(
      new GetCommand({ TableName: TABLE_NAME, Key: providerRefKey(provider, ref), ConsistentRead: true }),
    );
    const orderId = result.Item?.orderId as string | undefined;
    return orderId ? this.get(orderId) : undefined;
  },

  async save({ previous, next, events, providerEvent }, riding) {
    const root = {
      TableName: TABLE_NAME,
      Item: rootItem(next),
      ...VERSION_UNCHANGED,
      ExpressionAttributeValues: { ':expected': previous.version },
    };
    const parts: Item[] = [];
    const payment = paymentItem(next);
    if (JSON.stringify(payment) !== JSON.stringify(paymentItem(previous)))
      parts.push({ Put: { TableName: TABLE_NAME, Item: payment } });
    parts.push(...newProviderRefs(previous, next), ...eventPuts(next.orderId, events));
    // The notification applied, recorded in the same write: seen exactly when applied.
    const eventIndex = providerEvent ? 1 + parts.length : -1;
    if (providerEvent)
      parts.push(
        providerEventPut(providerEvent.provider, providerEvent.eventId, new Date(next.updatedAt), {
          orderId: next.orderId,
        }),
      );
    const write = async (riders: Item[]) => {
      const items = [...parts, ...riders];
      if (items.length === 0) await db.send(new PutCommand(root));
      else await db.send(new TransactWriteCommand({ TransactItems: [{ Put: root }, ...items] }));
    };
    try {
      try {
        await write(riding ? [riding.item as Item] : []);
        if (riding) riding.rode = true;
      } catch (error) {
        // Only the rider's condition failed (its Idempotency-Key claim moved on): write the order alone.
        if (!riding || !transactionConditionFailed(error, 1 + parts.length)) throw error;
        await write([]);
      }
    } catch (error) {
      if (providerEvent && isProviderEventDuplicate(error, eventIndex))
        throw new DuplicateEventError(providerEvent.provider, providerEvent.eventId);
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
                Key: rootKey(order.orderId),
                ...VERSION_UNCHANGED,
                ExpressionAttributeValues: { ':expected': order.version },
              },
            },
            { Delete: { TableName: TABLE_NAME, Key: paymentKey(order.orderId) } },
          ],
        }),
      );
    } catch (error) {
      // Someone else moved the reservation on; it is theirs now.
      if (!transactionConditionFailed(error, 0)) throw error;
    }
  },

  beginOperation,
  updateOperation,
};
