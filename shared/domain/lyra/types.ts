/**
 * Lyra (PayZen, Systempay...) payment on shipment as the domain sees it: the shapes the Lyra use
 * cases exchange with the Lyra gateway, free of wire details (shared/providers/lyra/).
 *
 * One authorization (a VERIFICATION transaction, valid 180 days, nothing debited), then one
 * DEBIT transaction per shipment (Charge/CreateShipmentTransaction), each refundable on its own
 * (Transaction/CancelOrRefund, a CREDIT transaction whose parent is the shipment's).
 */

/** Where the payment is, as far as the hub knows. */
export type LyraPaymentState =
  | 'creating' // the order id is reserved, CreatePayment not answered yet
  | 'awaiting_payment' // a form token exists; the shopper has not paid (or the IPN has not come)
  | 'authorized' // the IPN said the verification was accepted: shipments may be debited
  | 'refused' // the card was refused: nothing can be shipped
  | 'cancelled'; // the initial transaction was cancelled before any shipment

/** What a Lyra order keeps of its own (the order's `payment`). */
export interface LyraPayment {
  state: LyraPaymentState;
  /** While `creating`: the create attempt that owns the reservation until this instant. */
  leaseUntil?: string;
  /** The embedded form's token (CreatePayment's answer); the hub's pay page shows the form with it. */
  formToken?: string;
  /** The initial (VERIFICATION) transaction: every shipment is debited from it. */
  initialTransactionUuid?: string;
  /** When Lyra last told the hub (IPN serverDate): an older IPN never moves the payment back. */
  lastIpnAt?: string;
  /** The CB guarantee holds for shipments until then (30 days after the order; CB network only). */
  guaranteeEndsAt?: string;
  /** The card's network (effectiveBrand, e.g. CB, VISA): the guarantee is CB's. */
  brand?: string;
  /** After a void with shipments: no further shipment may be debited. */
  shipmentsStopped?: boolean;
  /** The unguessable token of the hub's pay page (`payUrl`): the page finds the payment by it. */
  payToken?: string;
  /** When the reconciler last asked Lyra about a payment still awaited, without learning anything. */
  lookedAt?: string;
  /**
   * The transactions of the payment's earlier forms, closed by a refusal and renewed
   * (renewLyraPayment): what they say (refused) is never taken for the current form's verdict.
   */
  supersededTransactions?: string[];
}

/** A transaction as the domain reads it (Transaction/Get, Order/Get, an IPN's transactions). */
export interface LyraTransaction {
  uuid: string;
  amount: number;
  currency: string;
  /** DEBIT (a shipment or a payment), CREDIT (a refund), VERIFICATION (the initial authorization). */
  operationType: 'DEBIT' | 'CREDIT' | 'VERIFICATION' | 'other';
  /** Lyra's status family: PAID, RUNNING, UNPAID (and anything else as `other`). */
  status: 'PAID' | 'RUNNING' | 'UNPAID' | 'other';
  /** Lyra's detailed status (ACCEPTED, AUTHORISED, CAPTURED, REFUSED, CANCELLED, EXPIRED...), as sent. */
  detailedStatus: string;
  parentTransactionUuid?: string;
  /** Echo of the metadata the hub sent (it sends its operation id), when Lyra echoes it. */
  metadata?: Record<string, string>;
  creationDate?: string;
  brand?: string;
}

/**
 * The `V4/Payment` answer Lyra posts as `kr-answer` (IPN and browser return), as the domain reads
 * it once its kr-hash was verified (shared/providers/lyra/verify.ts).
 */
export interface LyraPaymentAnswer {
  shopId: string;
  /** OPEN while the shopper may still pay, CLOSED once the payment ended. */
  orderCycle: 'OPEN' | 'CLOSED' | 'other';
  /** PARTIALLY_PAID is listed by Lyra's docs without a confirmed example. */
  orderStatus: 'PAID' | 'UNPAID' | 'RUNNING' | 'PARTIALLY_PAID' | 'other';
  /** When Lyra produced the answer (ISO 8601, UTC): orders IPNs of one payment. */
  serverDate: string;
  orderDetails: {
    orderTotalAmount: number;
    orderEffectiveAmount?: number;
    orderCurrency: string;
    /** The order id given to CreatePayment (the hub's orderId); Lyra may send null. */
    orderId?: string;
    /** TEST or PRODUCTION: which password the shop used. */
    mode?: string;
    metadata?: Record<string, string>;
  };
  transactions: LyraTransaction[];
}

/** What Charge/CreatePayment needs: an order on payment on shipment, with the hub's IPN URL. */
export interface LyraCreatePaymentRequest {
  /** The hub's orderId: Order/Get finds the order's transactions by it. */
  orderId: string;
  amount: number;
  currency: string;
  customer: {
    email?: string;
    reference?: string;
    firstName?: string;
    lastName?: string;
    phoneNumber?: string;
  };
  ipnTargetUrl: string;
  metadata?: Record<string, string>;
}

/**
 * A write that succeeded at Lyra. `transaction` is the transaction it created or changed when
 * the answer carried it; absent when Lyra said SUCCESS without one (the shape of
 * CreateShipmentTransaction's answer is not confirmed): its uuid is then unknown and must be
 * found by reading.
 */
export interface LyraWriteResult {
  transaction?: LyraTransaction;
}

/**
 * The Lyra gateway the Lyra use cases and connector use (shared/providers/lyra/gateway.ts).
 * Every method throws ProviderRefusal (Lyra definitely did nothing) or ProviderUnavailableError
 * (the outcome is unknown: read before sending again). Lyra has no idempotency key: a debit
 * carries the hub's operation id in its metadata, so that it can be recognised later.
 */
export interface LyraGateway {
  /** Charge/CreatePayment with useCase SHIPMENT_MULTIPLE_AUTHORISATION: the embedded form's token. */
  createPayment(request: LyraCreatePaymentRequest): Promise<{ formToken: string }>;
  /** Order/Get: the order's transactions (all, or one operation type). Sends nothing. */
  readOrder(orderId: string, operationType?: 'DEBIT' | 'CREDIT' | 'VERIFICATION'): Promise<LyraTransaction[]>;
  /** Transaction/Get. Sends nothing. */
  getTransaction(uuid: string): Promise<LyraTransaction>;
  /** Charge/CreateShipmentTransaction: debits `amount` from the initial (VERIFICATION) transaction. */
  createShipment(input: {
    initialTransactionUuid: string;
    amount: number;
    currency: string;
    orderId: string;
    /** Sent as metadata.hubOperationId. */
    operationId: string;
  }): Promise<LyraWriteResult>;
  /** Transaction/CancelOrRefund (REFUND_ONLY) of `amount` of a shipment's DEBIT transaction. */
  cancelOrRefund(input: {
    transactionUuid: string;
    amount: number;
    currency: string;
    operationId: string;
  }): Promise<LyraWriteResult>;
  /** Transaction/Cancel (the initial transaction, before any shipment). */
  cancel(input: { transactionUuid: string }): Promise<LyraWriteResult>;
}
