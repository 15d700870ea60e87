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
