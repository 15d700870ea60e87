/**
 * The Lyra gateway the domain uses (LyraGateway, shared/domain/lyra/types.ts), over the
 * transport client. Lyra has no idempotency key: a debit carries the hub's operation id in
 * `metadata.hubOperationId`, and the shipment is sent under the hub's orderId, so that Order/Get
 * finds it when its answer was lost.
 */

import type { LyraGateway } from '../../domain/lyra/types.ts';
import type { LyraClient } from './client.ts';
import { parseAnswer, readWriteAnswer, toCreatePaymentWire, toLyraTransaction } from './mapping.ts';
import {
  type CancelOrRefundWire,
  type CreateShipmentWire,
  orderTransactionsWire,
  paymentFormWire,
  transactionWire,
} from './schemas.ts';

export function createLyraGateway(client: LyraClient): LyraGateway {
  return {
    async createPayment(request) {
      const { answer } = await client.call('Charge/CreatePayment', toCreatePaymentWire(request));
      return { formToken: parseAnswer(paymentFormWire(), answer).formToken };
    },

    async readOrder(orderId, operationType) {
      const body = operationType ? { orderId, operationType } : { orderId };
      const { answer } = await client.call('Order/Get', body);
      const transactions = parseAnswer(orderTransactionsWire(), answer).transactions.map(toLyraTransaction);
      // The filter is Lyra's [C]; applied again here so that a platform ignoring it changes nothing
      // (a transaction without a readable type is kept: the caller decides what it is).
      return operationType
        ? transactions.filter((t) => t.operationType === operationType || t.operationType === 'other')
        : transactions;
    },

    async getTransaction(uuid) {
      const { answer } = await client.call('Transaction/Get', { uuid });
      return toLyraTransaction(parseAnswer(transactionWire(), answer));
    },

    async createShipment({ initialTransactionUuid, amount, currency, orderId, operationId }) {
      const body: CreateShipmentWire = {
        uuid: initialTransactionUuid,
        amount,
        currency,
        orderId,
        metadata: { hubOperationId: operationId },
      };
      const { answer } = await client.call('Charge/CreateShipmentTransaction', body);
      return readWriteAnswer(answer);
    },

    async cancelOrRefund({ transactionUuid, amount, currency, operationId }) {
      const body: CancelOrRefundWire = {
        uuid: transactionUuid,
        amount,
        currency,
        // REFUND_ONLY, never AUTO: see the connector (a refund must be a CREDIT the hub can find).
        resolutionMode: 'REFUND_ONLY',
        comment: `hub refund ${operationId}`,
      };
      const { answer } = await client.call('Transaction/CancelOrRefund', body);
      return readWriteAnswer(answer);
    },

    async cancel({ transactionUuid }) {
      const { answer } = await client.call('Transaction/Cancel', { uuid: transactionUuid });
      return readWriteAnswer(answer);
    },
  };
}
