/**
 * Writing operations: the reservation and every later step, as atomic counter deltas on the
 * order's root (ADD), conditional on the balances and on the operation's own item, never on
 * the order's version, so that concurrent operations on one order do not turn each other away.
 * A TransactionConflict (another transaction on the same item at that instant) is retried here:
 * it says nothing about the business outcome.
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { CounterDeltas } from '../domain/operation-money.ts';
import type { OperationBegin, OperationUpdate, ReservationRefusal } from '../domain/ports.ts';
import { ReservationRefusedError } from '../domain/ports.ts';
import { ConcurrentUpdateError } from '../errors.ts';
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
  operationItem,
  refundItem,
  refundKey,
  rootKey,
  shipmentItem,
  shipmentKey,
} from './order-items.ts';

const CONFLICT_RETRIES = 8;

/** An Update expression: SET and ADD clauses with their names and values. */
class UpdateBuilder {
  private readonly sets: string[] = [];
  private readonly adds: string[] = [];
  private readonly removes: string[] = [];
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private n = 0;

  private name(attribute: string): string {
    const key = `#a${this.n++}`;
    this.names[key] = attribute;
    return key;
  }
  value(value: unknown): string {
    const key = `:v${this.n++}`;
    this.values[key] = value;
    return key;
  }
  set(attribute: string, value: unknown): this {
    this.sets.push(`${this.name(attribute)} = ${this.value(value)}`);
    return this;
  }
  add(attribute: string, delta: number): this {
    if (delta !== 0) this.adds.push(`${this.name(attribute)} ${this.value(delta)}`);
    return this;
  }
  remove(attribute: string): this {
    this.removes.push(this.name(attribute));
    return this;
  }
  /** A condition clause on an attribute, e.g. `ref('inFlight')` inside `${...} = :zero`. */
  ref(attribute: string): string {
    return this.name(attribute);
  }
  expression(): string {
    return [
      this.sets.length ? `SET ${this.sets.join(', ')}` : '',
      this.adds.length ? `ADD ${this.adds.join(', ')}` : '',
      this.removes.length ? `REMOVE ${this.removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }
}

function rootUpdate(now: Date, deltas: CounterDeltas = {}): UpdateBuilder {
  const update = new UpdateBuilder().set('updatedAt', now.toISOString()).add('version', 1);
  for (const [counter, delta] of Object.entries(deltas)) update.add(counter, delta);
  return update;
}

async function withConflictRetries<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!transactionConflicted(error) || attempt >= CONFLICT_RETRIES) {
        if (transactionConflicted(error)) throw new ConcurrentUpdateError('the order stayed busy');
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

/** Records a new operation and reserves its amount; see OrderRepository.beginOperation. */
export async function beginOperation(orderId: string, begin: OperationBegin): Promise<void> {
  const { operation, deltas, requires, exclusive, events, now } = begin;
  const update = rootUpdate(now, deltas);
  const conditions = ['attribute_exists(PK)', `attribute_not_exists(${update.ref('exclusiveOperationId')})`];
  if (requires) conditions.push(`${update.ref(requires.balance)} >= ${update.value(requires.atLeast)}`);
  if (exclusive) {
    conditions.push(`${update.ref('inFlight')} = ${update.value(0)}`);
    update.set('exclusiveOperationId', operation.operationId);
  }
  const transactItems: Item[] = [
    {
      Update: {
        TableName: TABLE_NAME,
        Key: rootKey(orderId),
        UpdateExpression: update.expression(),
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: update.values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    {
      Put: {
        TableName: TABLE_NAME,
        Item: operationItem(orderId, operation),
        ...(begin.replacesFailed
          ? {
              ConditionExpression: 'attribute_not_exists(SK) OR #state = :failed',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':failed': 'failed' },
            }
          : { ConditionExpression: 'attribute_not_exists(SK)' }),
      },
    },
    ...eventPuts(orderId, events),
  ];
  try {
    await withConflictRetries(() => db.send(new TransactWriteCommand({ TransactItems: transactItems })));
  } catch (error) {
    if (transactionConditionFailed(error, 1)) throw new ReservationRefusedError('exists');
    if (transactionConditionFailed(error, 0)) throw new ReservationRefusedError(whyRefused(error, begin));
    throw error;
  }
}

/** Which of the root's conditions failed, read from the item DynamoDB returned with the cancellation. */
function whyRefused(error: unknown, begin: OperationBegin): ReservationRefusal {
  const reasons = (error as { CancellationReasons?: { Item?: Record<string, AttributeValue> }[] })
    .CancellationReasons;
  const raw = reasons?.[0]?.Item;
  if (!raw) return 'insufficient';
  const root = unmarshall(raw) as Record<string, unknown>;
  if (root.exclusiveOperationId || (begin.exclusive && Number(root.inFlight ?? 0) > 0))
    return 'exclusive_in_flight';
  if (root.voidedAt && begin.requires?.balance === 'capturableAmount') return 'voided';
  return 'insufficient';
}

/** Moves an operation on if it is still as expected; see OrderRepository.updateOperation. */
export async function updateOperation(
  orderId: string,
  step: OperationUpdate,
): Promise<{ written: boolean; rode: boolean }> {
  const rider = step.riding?.item as Item | undefined;
  if (!rider || !step.riding) return { written: await writeStep(orderId, step, []), rode: false };
  try {
    const written = await writeStep(orderId, step, [rider]);
    if (written) step.riding.rode = true;
    return { written, rode: written };
  } catch (error) {
    // Only the rider's own condition failed (its claim moved on): the step must still be written.
    if (!(error instanceof RiderRefusedError)) throw error;
    return { written: await writeStep(orderId, step, []), rode: false };
  }
}

/** A learnt provider reference replaces the unknown one on the operation's shipment or refund record. */
function learntRefUpdates(orderId: string, learnt: OperationUpdate['learntRef']): Item[] {
  if (!learnt) return [];
  const replace = (Key: Item, attribute: string) => ({
    Update: {
      TableName: TABLE_NAME,
      Key,
      UpdateExpression: 'SET #ref = :learnt',
      ConditionExpression: '#ref = :unknown',
      ExpressionAttributeNames: { '#ref': attribute },
      ExpressionAttributeValues: { ':learnt': learnt.providerRef, ':unknown': learnt.unknownRef },
    },
  });
  return [
    ...(learnt.shipmentId ? [replace(shipmentKey(orderId, learnt.shipmentId), 'providerRef')] : []),
    ...(learnt.refundId ? [replace(refundKey(orderId, learnt.refundId), 'providerRefundId')] : []),
  ];
}

/** The rider's own condition failed (its Idempotency-Key claim moved on); the order write did not happen yet. */
export class RiderRefusedError extends Error {}

async function writeStep(orderId: string, step: OperationUpdate, riders: Item[]): Promise<boolean> {
  const { operation, expected, now } = step;
  const opCondition = new UpdateBuilder();
  const states = expected.states.map((state) => opCondition.value(state));
  const clauses = [`${opCondition.ref('state')} IN (${states.join(', ')})`];
  if (expected.owner) clauses.push(`${opCondition.ref('owner')} = ${opCondition.value(expected.owner)}`);
  if (expected.leaseEndedBy)
    clauses.push(`${opCondition.ref('leaseUntil')} <= ${opCondition.value(expected.leaseEndedBy)}`);
  if (expected.providerRef !== undefined)
    clauses.push(`${opCondition.ref('providerRef')} = ${opCondition.value(expected.providerRef)}`);
  const put = {
    TableName: TABLE_NAME,
    Item: operationItem(orderId, operation),
    ConditionExpression: clauses.join(' AND '),
    ExpressionAttributeNames: opCondition.names,
    ExpressionAttributeValues: opCondition.values,
  };

  const parts: Item[] = [];
  const touchesRoot = step.deltas || step.voidedAt || step.releaseExclusive || step.refund || step.shipment;
  if (touchesRoot) {
    const update = rootUpdate(now, step.deltas);
    if (step.voidedAt) update.set('voidedAt', step.voidedAt);
    if (step.releaseExclusive) update.remove('exclusiveOperationId');
    parts.push({
      Update: {
        TableName: TABLE_NAME,
        Key: rootKey(orderId),
        UpdateExpression: update.expression(),
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: update.values,
      },
    });
  }
  const guarded = { ConditionExpression: 'attribute_not_exists(SK)' };
  if (step.refund)
    parts.push({ Put: { TableName: TABLE_NAME, Item: refundItem(orderId, step.refund), ...guarded } });
  if (step.shipment)
    parts.push({ Put: { TableName: TABLE_NAME, Item: shipmentItem(orderId, step.shipment), ...guarded } });
  if (step.shipmentRefund)
    parts.push({
      Update: {
        TableName: TABLE_NAME,
        Key: shipmentKey(orderId, step.shipmentRefund.shipmentId),
        UpdateExpression: 'ADD refundedAmount :amount',
        ConditionExpression: 'attribute_exists(SK)',
        ExpressionAttributeValues: { ':amount': step.shipmentRefund.amount },
      },
    });
  // The learnt-reference updates' indexes in the transaction: the operation's Put is index 0, so
  // each one's index is the length of `parts` once it is pushed.
  const learntIndexes = learntRefUpdates(orderId, step.learntRef).map((update) => parts.push(update));
  parts.push(...eventPuts(orderId, step.events));
  const riderIndex = 1 + parts.length;
  parts.push(...riders);

  try {
    await withConflictRetries<unknown>(() =>
      parts.length === 0
        ? db.send(new PutCommand(put))
        : db.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...parts] })),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error) || transactionConditionFailed(error, 0)) return false;
    // A record no longer unknown: another request learnt the reference first.
    if (learntIndexes.some((index) => transactionConditionFailed(error, index))) return false;
    if (riders.length > 0 && transactionConditionFailed(error, riderIndex)) throw new RiderRefusedError();
    throw error;
  }
}
