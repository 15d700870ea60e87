/**
 * The Affirm gateway the domain uses (AffirmGateway), over the transport client.
 * Each write carries a provider Idempotency-Key derived from the hub operation, and
 * `reference_id` = the hub's operation id, so that the operation can be recognised
 * in the transaction's events when its answer was lost.
 */

import type { AffirmGateway, AffirmTransaction } from '../../domain/affirm/types.ts';
import { providerIdempotencyKey } from '../idempotency-key.ts';
import type { AffirmClient } from './client.ts';
import {
  type MerchantSettings,
  parseSuccess,
  toCheckoutView,
  toStoreCheckoutWire,
  toTransaction,
  toTransactionEvent,
} from './mapping.ts';
import { checkoutWire, storeCheckoutResponseWire, transactionEventWire, transactionWire } from './schemas.ts';

export type AffirmMerchant = Omit<MerchantSettings, 'publicApiKey'>;

const path = (segment: string) => encodeURIComponent(segment);

export function createAffirmGateway(
  client: AffirmClient,
  merchant: AffirmMerchant,
  publicApiKey: () => Promise<string>,
): AffirmGateway {
  const readTransaction = async (id: string): Promise<AffirmTransaction> => {
    const response = await client.get(`/api/v1/transactions/${path(id)}?expand=events`);
    return toTransaction(parseSuccess(transactionWire(), response));
  };

  const event = async (id: string, action: string, body: Record<string, unknown>, key: string) => {
    const response = await client.post(`/api/v1/transactions/${path(id)}/${action}`, body, key);
    const wire = parseSuccess(transactionEventWire(), response);
    const { id: eventId, amount } = toTransactionEvent(wire);
    return amount === undefined ? { eventId } : { eventId, amount };
  };

  return {
    async createStoreCheckout(request) {
      // Affirm documents no idempotency for this call: a retry may open a second checkout
      // (a second link for the customer) but can never move money, as only the checkout id
      // the hub stores can be authorized through it.
      const wire = toStoreCheckoutWire(request, { ...merchant, publicApiKey: await publicApiKey() });
      const response = await client.post('/api/v2/checkout/store', wire);
      const created = parseSuccess(storeCheckoutResponseWire(), response);
      return { checkoutId: created.checkout_id, redirectUrl: created.redirect_url };
    },

    async readCheckout(checkoutId) {
      const response = await client.get(`/api/v2/checkout/${path(checkoutId)}`);
      return toCheckoutView(checkoutId, parseSuccess(checkoutWire(), response));
    },

    async authorize({ checkoutId, orderId, attempt }) {
      const body = { transaction_id: checkoutId, order_id: orderId, expand: 'events' };
      const key = providerIdempotencyKey(`affirm:authorize:${checkoutId}:${attempt}`);
      const response = await client.post('/api/v1/transactions', body, key);
      return toTransaction(parseSuccess(transactionWire(), response));
    },

    // [UNCONFIRMED] Reading a transaction by its checkout id: the authorize call takes the checkout
    // id as `transaction_id`, and the hub relies on the read accepting it too to recover an
    // authorization whose answer was lost. The simulator accepts both ids.
    readTransaction,

    capture({ transactionId, orderId, operationId }) {
      const key = providerIdempotencyKey(`affirm:capture:${orderId}:${operationId}`);
      // No `amount`: Affirm reads it only for split capture, which the hub does not enable (as Magento does).
      return event(transactionId, 'capture', { order_id: orderId, reference_id: operationId }, key);
    },

    refund({ transactionId, orderId, operationId, amount }) {
      const key = providerIdempotencyKey(`affirm:refund:${orderId}:${operationId}`);
      return event(transactionId, 'refund', { amount, reference_id: operationId }, key);
    },

    void({ transactionId, orderId, operationId }) {
      const key = providerIdempotencyKey(`affirm:void:${orderId}:${operationId}`);
      return event(transactionId, 'void', { reference_id: operationId }, key);
    },
  };
}
