/**
 * Which ways to pay the hub offers Snipcart's cart for an invoice (providers/snipcart.md
 * section 1): the Lyra payment on shipment, for the currencies the merchant took it for, and
 * nothing for an invoice it cannot charge (an empty list, not an error: the cart shows its other
 * methods).
 */

import type { SnipcartInvoice, SnipcartPaymentMethod } from './types.ts';

export interface SnipcartSettings {
  /** The hub's checkout page: `<hub>/v1/snipcart/checkout`. */
  checkoutUrl: string;
  /** Currencies (upper case) the merchant's Lyra shop takes. */
  currencies: readonly string[];
  /** The method's name in the cart. */
  methodName: string;
}

export const SNIPCART_METHOD_ID = 'lyra-card-on-shipment';

export function paymentMethodsFor(
  invoice: SnipcartInvoice | undefined,
  settings: SnipcartSettings,
): SnipcartPaymentMethod[] {
  // Without a readable invoice the checkout page still charges exactly the session's amount.
  if (invoice && (invoice.amount <= 0 || !settings.currencies.includes(invoice.currency))) return [];
  return [
    {
      id: SNIPCART_METHOD_ID,
      name: settings.methodName,
      checkoutUrl: `${settings.checkoutUrl}?method=${SNIPCART_METHOD_ID}`,
    },
  ];
}
