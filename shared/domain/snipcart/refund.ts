/**
 * Flow D, a refund from Snipcart's dashboard: Snipcart calls the order's `links.refunds` URL,
 * whose secret is the only proof it is Snipcart (the refund webhook carries no signature:
 * providers/snipcart.md section 4). The amount is checked against what was actually debited and
 * carried out with the provider over the debited shipments (the saga). A retry of the same call
 * is recognised at the edge (the same paymentId and amount within 10 minutes) and its key ties
 * it to the refund it started.
 */

import { createHash } from 'node:crypto';
import { HubError, StateConflictError } from '../../errors.ts';
import type { SagaDeps } from '../operations.ts';
import { NOT_FOUND_AT_PROVIDER, type Order } from '../order.ts';
import type { OrderRepository } from '../ports.ts';
import { refundOrder } from '../transactions.ts';
import { refundSecretMatches, snipcartLink } from './link.ts';

export interface SnipcartRefundCommand {
  orderId: string;
  secret: string;
  /**
   * Snipcart's call read in the order's currency (known only once the order is read): its
   * paymentId and the amount in minor units; undefined when the amount is not an exact positive
   * amount of that currency.
   */
  readIn(currency: string): { paymentId: string; amount: number } | undefined;
}

/** How long the same paymentId and amount name the same refund once it is done (API.md). */
export const SNIPCART_RETRY_WINDOW_MS = 10 * 60_000;

/**
 * Whether `secret` is the refund link's of the order (constant-time): checked before anything is
 * stored for the call, so that a caller without it leaves no trace in the table.
 */
export async function refundLinkHolds(
  orders: OrderRepository,
  orderId: string,
  secret: string,
): Promise<boolean> {
  if (!orderId || !secret) return false;
  const order = await orders.get(orderId);
  const link = order ? snipcartLink(order) : undefined;
  return link !== undefined && refundSecretMatches(link, secret);
}

/**
 * Snipcart calls once per click: a refund that meets another one in flight on the order (they run
 * one at a time) waits for it a little, rather than failing the merchant's click.
 */
export async function refundFromSnipcart(
  deps: SagaDeps,
  command: SnipcartRefundCommand,
  now: Date,
): Promise<{ refundId: string; amount: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await refundOnce(deps, command, now);
    } catch (error) {
      const busy = error instanceof HubError && error.code === 'OPERATION_IN_PROGRESS';
      if (!busy || attempt >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, 150 * attempt));
    }
  }
}

async function refundOnce(
  deps: SagaDeps,
  command: SnipcartRefundCommand,
  now: Date,
): Promise<{ refundId: string; amount: number }> {
  const order = await deps.orders.get(command.orderId);
  const link = order ? snipcartLink(order) : undefined;
  // An unknown order and a wrong secret read the same: nothing to learn by probing.
  if (!order || !link || !refundSecretMatches(link, command.secret))
    throw new HubError('INVALID_TOKEN', 'This refund link is not valid.');
  const asked = command.readIn(order.currency);
  if (asked === undefined)
    throw new HubError('VALIDATION_FAILED', `The amount is not a positive amount of ${order.currency}.`);
  const { paymentId, amount } = asked;
  if (order.capturedAmount === 0) {
    throw new StateConflictError(
      'AMOUNT_EXCEEDS_CAPTURED',
      'Nothing has been debited yet (no shipment left): nothing can be refunded.',
    );
  }
  const outcome = await refundOrder(
    deps,
    {
      orderId: order.orderId,
      loaded: order,
      // Snipcart acts on this order only; the secret stood for its key.
      caller: { keyId: `snipcart:${order.orderId}`, role: 'admin' },
      amount,
      reason: 'Refunded from the Snipcart dashboard',
      requestKey: refundRequestKey(order, paymentId, amount, now),
    },
    now,
  );
  if (!outcome.operation) throw new Error('a refund answered without its operation');
  return { refundId: outcome.operation.operationId, amount: outcome.operation.amount };
}

/**
 * The saga's key for this call. Snipcart sends no refund id, so the same paymentId and amount
 * name the same refund (a retry) while it is unfinished (its outcome unknown, or never seen by the
 * provider: the retry must finish it, never start another), and for 10 minutes after it is done;
 * after that, the same call is a new refund with a key of its own.
 */
function refundRequestKey(order: Order, paymentId: string, amount: number, now: Date): string {
  const base = `snipcart:${createHash('sha256').update(paymentId).digest('base64url').slice(0, 22)}:${amount}`;
  const parts = order.operations.filter(
    (op) => op.kind === 'refund' && op.requestKey?.startsWith(`${base}@`),
  );
  const last = parts.at(-1);
  if (last) {
    const request = last.requestKey?.split('#')[0] ?? '';
    const ofRequest = parts.filter((op) => op.requestKey?.split('#')[0] === request);
    // Unfinished: a part still in flight or never seen by the provider, or less done than asked
    // (a later part was refused): its retry finishes it, whenever it comes.
    const done = ofRequest.filter((op) => op.state === 'succeeded').reduce((sum, op) => sum + op.amount, 0);
    const unfinished =
      done < amount ||
      ofRequest.some(
        (op) =>
          op.state === 'running' ||
          op.state === 'unresolved' ||
          (op.state === 'failed' && op.failure === NOT_FOUND_AT_PROVIDER),
      );
    const doneAt = Math.max(...ofRequest.map((op) => Date.parse(op.finishedAt ?? op.startedAt)));
    if (unfinished || now.getTime() - doneAt < SNIPCART_RETRY_WINDOW_MS) return request;
  }
  return `${base}@${now.toISOString()}`;
}
