/** The order data layer's lookups, checked at the request level (AWS SDK stubbed; no network). */

import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { paymentItem } from '#shared/data/order-items.ts';
import { orderRepository } from '#shared/data/orders.ts';
import { TABLE } from '#shared/data/table.ts';
import { ConcurrentUpdateError } from '#shared/errors.ts';
import { AUTHORIZED, affirmOrder } from '../support/orders.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamo.reset());

describe('orderRepository.findByProviderRef', () => {
  it('reads the reference with a strongly consistent GetItem, never through an eventually consistent index', async () => {
    // Prepare: the reference points at an order whose partition holds its root and Affirm part.
    dynamo.on(GetCommand).resolves({ Item: { orderId: 'order-7' } });
    dynamo.on(QueryCommand).resolves({
      Items: [
        { PK: 'ORDER#order-7', SK: 'ORDER', orderId: 'order-7', version: 3, provider: 'affirm' },
        {
          PK: 'ORDER#order-7',
          SK: 'PAYMENT',
          provider: 'affirm',
          payment: { checkout: { state: 'sent', checkoutId: 'CHK7' } },
        },
      ],
    });

    // Act
    const order = await orderRepository.findByProviderRef('affirm', 'CHK7');

    // Assess
    expect(order?.orderId).toBe('order-7');
    const gets = dynamo.commandCalls(GetCommand);
    expect(gets).toHaveLength(1);
    expect(gets[0]?.args[0].input).toMatchObject({ ConsistentRead: true, Key: { PK: 'REF#affirm#CHK7' } });
    const queries = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.every((input) => input.IndexName === undefined && input.ConsistentRead === true)).toBe(
      true,
    );
  });

  it('answers undefined for an unknown reference without reading any order', async () => {
    dynamo.on(GetCommand).resolves({});
    expect(await orderRepository.findByProviderRef('affirm', 'NOPE')).toBeUndefined();
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
  });
});

describe('orderRepository.save', () => {
  it('reports a transaction cancelled by a concurrent write as a lost race, not a failure', async () => {
    // Prepare: DynamoDB cancels the transaction because another one holds an item (TransactionConflict).
    const conflict = Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
    });
    dynamo.on(TransactWriteCommand).rejects(conflict);
    const order = affirmOrder();
    const next = { ...order, version: order.version + 1, capturedAmount: 1 };

    // Act + Assess: the saga re-reads and decides again on a ConcurrentUpdateError.
    await expect(
      orderRepository.save({ previous: order, next, events: [{ at: 'now', type: 'x' }] }),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });
});

describe('the payment item’s mark for the table stream', () => {
  const link = (attempts: number) => ({
    kind: 'snipcart' as const,
    sessionId: 'session-1',
    storeUrl: 'https://shop.example/',
    refundSecret: 's',
    confirmation: { state: 'pending' as const, attempts },
  });

  it('marks an authorized payment whose storefront was never told, and nothing else', () => {
    expect(paymentItem(affirmOrder({ authorization: AUTHORIZED, storefront: link(0) }))).toMatchObject({
      [TABLE.storefrontToTell]: true,
    });
    // Not authorized yet; already tried once (its retry waits for the sweep's backoff); no storefront.
    for (const order of [
      affirmOrder({ storefront: link(0) }),
      affirmOrder({ authorization: AUTHORIZED, storefront: link(1) }),
      affirmOrder({ authorization: AUTHORIZED }),
    ])
      expect(paymentItem(order)).not.toHaveProperty(TABLE.storefrontToTell);
  });
});
