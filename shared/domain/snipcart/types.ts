/**
 * Snipcart's custom payment gateway (flow D) as the domain sees it: the shapes the Snipcart use
 * cases exchange with the Snipcart gateway, free of wire details (shared/providers/snipcart/).
 *
 * The cart (Snipcart) asks the hub for payment methods, sends the shopper to the hub's checkout
 * page with a public token, the hub reads the payment session with it, takes the payment (Lyra),
 * then confirms it to Snipcart server to server and sends the shopper to Snipcart's returnUrl.
 * Every amount here is an integer in the currency's minor unit and every currency is upper case
 * (Snipcart's own wire has decimal major units and lower-case codes: the adapter converts).
 */

/** The mode of a payment methods webhook (`mode`, "Live" or "test" on the wire); anything else `other`. */
export type SnipcartMode = 'live' | 'test' | 'other';

/** Snipcart's item types (Physical | Digital | Tax | Shipping | Discount); anything else `other`. */
export type SnipcartItemType = 'physical' | 'digital' | 'tax' | 'shipping' | 'discount' | 'other';

export interface SnipcartItem {
  name: string;
  type: SnipcartItemType;
  quantity: number;
  /** Minor units. May be negative on a discount line [UNCONFIRMED]. */
  unitPrice: number;
  /** Minor units (quantity x unitPrice as Snipcart computed it). May be negative on a discount line. */
  amount: number;
}

/**
 * The invoice of a payment session (or of a payment methods webhook). `amount` is what the hub
 * charges, exactly: the items are informational and need not add up to it (Snipcart's own
 * example does not), so nothing is recomputed from them.
 */
export interface SnipcartInvoice {
  /** Minor units, >= 0. Zero is read as such: whether it can be charged is the use case's call. */
  amount: number;
  /** ISO 4217, upper case, one the hub knows (shared/domain/money.ts). */
  currency: string;
  email?: string;
  language?: string;
  /** The cart's id at Snipcart. */
  targetId?: string;
  items: SnipcartItem[];
}

/** GET payment-session: what the shopper is paying, as Snipcart holds it. */
export interface SnipcartSession {
  /** The payment session id: what the confirmation names. */
  id: string;
  /** The "back to store / cancel" link (an http(s) URL only; absent when Snipcart gave none or another scheme). */
  paymentAuthorizationRedirectUrl?: string;
  invoice: SnipcartInvoice;
}

/** The states a confirmation may report (`invalidated` is listed by Snipcart without a meaning). */
export type SnipcartPaymentState = 'processing' | 'processed' | 'failed' | 'invalidated';

/** POST payment: the hub tells Snipcart how the payment of a session ended. No amounts: Snipcart has them. */
export interface SnipcartConfirmation {
  paymentSessionId: string;
  state: SnipcartPaymentState;
  /** The hub's reference of the payment (the same on every re-post of one payment). */
  transactionId: string;
  /** On `failed`: the cart looks `code` up for a localized message, else shows `message`. */
  error?: { code: string; message?: string };
  /** Shown on Snipcart's confirmation screen. */
  instructions?: string;
  /** Sent as `links.refunds`: without it the order cannot be refunded from Snipcart's dashboard. */
  refundsUrl?: string;
}

/** What the payment methods webhook brings (body `{ invoice, publicToken, mode }`). */
export interface SnipcartPaymentMethodsRequest {
  /** From the body, else from the query string (where it is is [UNCONFIRMED]). Not yet validated. */
  publicToken: string;
  mode: SnipcartMode;
  /** Undefined when absent, or not readable exactly in minor units of a currency the hub knows. */
  invoice?: SnipcartInvoice;
}

/** One payment method the hub offers the cart. */
export interface SnipcartPaymentMethod {
  id: string;
  name: string;
  checkoutUrl: string;
  iconUrl?: string;
}

/** What Snipcart posts to `links.refunds` when the merchant refunds from the dashboard. */
export interface SnipcartRefundRequest {
  /** Snipcart's id of the payment (whether it is the hub's transactionId is [UNCONFIRMED]). */
  paymentId: string;
  /** Minor units, > 0, in the order's currency (the body carries none). */
  amount: number;
  /** Present if Snipcart sends one (S1 says every webhook does; the documented body has none). */
  publicToken?: string;
}

/**
 * The Snipcart gateway the Snipcart use cases use (shared/providers/snipcart/gateway.ts). Every
 * method throws ProviderUnavailableError when Snipcart could not be asked or did not answer
 * readably (5xx, timeout, reset): never read as "valid" nor as "refused". A definite refusal is a
 * ProviderRefusal.
 */
export interface SnipcartGateway {
  /** GET validate: true on any 2xx, false on a 4xx (other than 408/429). Sends no key. */
  validatePublicToken(token: string): Promise<boolean>;
  /** GET payment-session. ProviderRefusal `not_found` when Snipcart does not know the token (4xx), `invalid_request` when its amount or currency cannot be charged. */
  paymentSession(token: string): Promise<SnipcartSession>;
  /**
   * POST payment (Bearer, the gateway's secret key). Re-posting the same confirmation is allowed
   * by Snipcart (it updates `links.refunds`). Sent once: an unknown outcome is a
   * ProviderUnavailableError, to be settled by posting again, not retried here.
   */
  confirmPayment(confirmation: SnipcartConfirmation): Promise<{ returnUrl: string }>;
  /**
   * GET app.snipcart.com/api/requestvalidation/{token} (Basic, the secret REST key): true only on
   * 200 with the same token echoed. False on another 4xx; ProviderRefusal `credentials` on 401
   * (the hub's REST key was refused: nothing is said about the token).
   */
  validateRequestToken(token: string): Promise<boolean>;
}
