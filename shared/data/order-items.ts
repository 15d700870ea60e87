/**
 * The items of an order in the single table, and the only code that builds their keys.
 *
 *   ORDER#<orderId>   ORDER                root: the neutral core (amounts, balances, version)
 *   ORDER#<orderId>   PAYMENT              the provider's data: { provider, payment }
 *   ORDER#<orderId>   OP#<operationId>     one operation (capture, debit, refund, void)
 *   ORDER#<orderId>   REFUND#<refundId>    one refund
 *   ORDER#<orderId>   SHIPMENT#<shipmentId> one shipment debited or refused
 *   ORDER#<orderId>   EVENT#<t>#<n>#<w>    append-only event log, in the order written
 *   REF#<provider>#<ref>  REF              a provider reference -> orderId
 */

import { randomBytes } from 'node:crypto';
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import {
  type Operation,
  type Order,
  type OrderCore,
  type OrderEvent,
  operationDueAt,
  type ProviderName,
  type RefundRecord,
  type ShipmentRecord,
} from '../domain/order.ts';
import { reconcileDueAt } from '../domain/payments.ts';
import { awaitsFirstTell } from '../domain/snipcart/link.ts';
import { TABLE_NAME } from './client.ts';
import { TABLE } from './table.ts';

export type Item = Record<string, NativeAttributeValue>;

const ROOT = 'ORDER';
const PAYMENT = 'PAYMENT';
const OPERATION = 'OP#';
const REFUND = 'REFUND#';
const SHIPMENT = 'SHIPMENT#';
const EVENT = 'EVENT#';

export const orderPk = (orderId: string) => `ORDER#${orderId}`;
export const rootKey = (orderId: string) => ({ PK: orderPk(orderId), SK: ROOT });
export const paymentKey = (orderId: string) => ({ PK: orderPk(orderId), SK: PAYMENT });
export const providerRefKey = (provider: ProviderName, ref: string) => ({
  PK: `REF#${provider}#${ref}`,
  SK: 'REF',
});

/** The root item: the core without its lists and without the provider's data. */
export function rootItem(order: Order): Item {
  const {
    payment: _payment,
    provider,
    operations: _operations,
    refunds: _refunds,
    shipments: _shipments,
    events: _events,
    ...core
  } = order;
  return { ...rootKey(order.orderId), entity: 'order', provider, ...core, ...expiringIndex(order) };
}

/**
 * GSI1 entries of the sweeps (keys only, eventually consistent: the sweeps re-read each order):
 *   EXPIRING            <authorizationExpiresAt>#<orderId>   on the root of an authorized order
 *   RECONCILE#payment   <due>#<orderId>                     on the payment item, while the provider must be asked
 *   RECONCILE#operation <due>#<orderId>#<operationId>        on an operation in flight
 */
export const SWEEPS = {
  expiring: 'EXPIRING',
  payment: 'RECONCILE#payment',
  operation: 'RECONCILE#operation',
} as const;

const gsi = (partition: string, sort: string) => ({
  [TABLE.gsi1.partitionKey]: partition,
  [TABLE.gsi1.sortKey]: sort,
});

/** Written when the root is replaced (on authorization); a capture or void leaves it: the listing re-reads. */
function expiringIndex(order: Order): Item {
  if (!order.authorizationExpiresAt || order.voidedAt || order.capturedAmount >= order.authorizedAmount)
    return {};
  return gsi(SWEEPS.expiring, `${order.authorizationExpiresAt}#${order.orderId}`);
}

export function paymentItem(order: Order): Item {
  return {
    ...paymentKey(order.orderId),
    entity: 'payment',
    provider: order.provider,
    payment: order.payment,
    ...dueIndex(SWEEPS.payment, reconcileDueAt(order), order.orderId),
    // Read by the table stream's filter (infra/stack.ts): a storefront to tell at once.
    ...(awaitsFirstTell(order) ? { [TABLE.storefrontToTell]: true } : {}),
  };
}

function dueIndex(sweep: string, due: string | undefined, id: string): Item {
  return due ? gsi(sweep, `${due}#${id}`) : {};
}

export function operationItem(orderId: string, operation: Operation): Item {
  return {
    PK: orderPk(orderId),
    SK: `${OPERATION}${operation.operationId}`,
    entity: 'operation',
    ...operation,
    ...dueIndex(SWEEPS.operation, operationDueAt(operation), `${orderId}#${operation.operationId}`),
  };
}

export const refundKey = (orderId: string, refundId: string) => ({
  PK: orderPk(orderId),
  SK: `${REFUND}${refundId}`,
});

export function refundItem(orderId: string, refund: RefundRecord): Item {
  return { ...refundKey(orderId, refund.refundId), entity: 'refund', ...refund };
}

export const shipmentKey = (orderId: string, shipmentId: string) => ({
  PK: orderPk(orderId),
  SK: `${SHIPMENT}${shipmentId}`,
});

export function shipmentItem(orderId: string, shipment: ShipmentRecord): Item {
  return { PK: orderPk(orderId), SK: `${SHIPMENT}${shipment.shipmentId}`, entity: 'shipment', ...shipment };
}

/** Counts the event writes of this process, so that its events keep their order within one millisecond. */
let sequence = 0;
/** This process's id in event keys, drawn on its first event write (a function that never writes one never draws it). */
let writer: string | undefined;
function writerId(): string {
  writer ??= randomBytes(4).toString('hex');
  return writer;
}

/**
 * Event puts. Keys sort in the order the events were written: the write's wall-clock time, then
 * this process's sequence (a request often writes several steps within one millisecond, all
 * stamped with the same request time `at`), then a process id so concurrent writers never collide.
 */
export function eventPuts(
  orderId: string,
  events: OrderEvent[],
): { Put: { TableName: string; Item: Item } }[] {
  const written = new Date().toISOString();
  return events.map((e) => ({
    Put: {
      TableName: TABLE_NAME,
      Item: {
        PK: orderPk(orderId),
        SK: `${EVENT}${written}#${String(sequence++ % 1_000_000).padStart(6, '0')}#${writerId()}`,
        entity: 'event',
        ...e,
      },
      ConditionExpression: 'attribute_not_exists(SK)',
    },
  }));
}

const byKey = (prefix: string) => (item: Item) => String(item.SK).startsWith(prefix);
/** An item's data without its keys: the index keys too, which are derived anew on every write. */
const withoutKeys = ({ PK: _pk, SK: _sk, entity: _entity, GSI1PK: _gsiPk, GSI1SK: _gsiSk, ...rest }: Item) =>
  rest;
const byField =
  <T>(field: keyof T) =>
  (a: T, b: T) =>
    String(a[field]) < String(b[field]) ? -1 : String(a[field]) > String(b[field]) ? 1 : 0;

/** The order from its partition's items; undefined without a root and a payment item. */
export function orderFromItems(items: Item[]): Order | undefined {
  const root = items.find((item) => item.SK === ROOT);
  const payment = items.find((item) => item.SK === PAYMENT);
  if (!root || !payment) return undefined;
  const core = withoutKeys(root) as OrderCore & { provider: ProviderName };
  return {
    ...core,
    provider: payment.provider,
    payment: payment.payment,
    operations: items
      .filter(byKey(OPERATION))
      .map(withoutKeys)
      .map((o) => o as Operation)
      .sort(byField('startedAt')),
    refunds: items
      .filter(byKey(REFUND))
      .map(withoutKeys)
      .map((r) => r as RefundRecord)
      .sort(byField('createdAt')),
    shipments: items
      .filter(byKey(SHIPMENT))
      .map(withoutKeys)
      .map((s) => s as ShipmentRecord)
      .sort(byField('createdAt')),
    events: items
      .filter(byKey(EVENT))
      .map(({ at, type, detail }) => (detail ? { at, type, detail } : { at, type })),
  } as Order;
}
