/**
 * The Snipcart simulator's wire shapes (providers/snipcart.md §1-4, shared/fixtures/snipcart/): the
 * payment-methods webhook body, the public payment session (documented fields plus the undocumented
 * ones real sessions carry, values [?]), and the error body (shape [?]: no source shows one).
 */

import type { Invoice } from './checks.ts';
import type { SimSession } from './state.ts';

/** [?] The error body of every failing Snipcart answer: no source shows one. */
export const errorBody = (status: number, message: string) => ({ statusCode: status, message });

/** The payment-methods webhook body: the published example's { mode, invoice } plus the draft's publicToken. */
export function paymentMethodsBody(session: SimSession, publicToken: string) {
  return { invoice: session.invoice, publicToken, mode: session.mode };
}

/** The session's invoice as the payment-session endpoint shows it: items without discountAmount (the example has none). */
function sessionInvoice(invoice: Invoice) {
  return {
    shippingAddress: invoice.shippingAddress,
    billingAddress: invoice.billingAddress,
    email: invoice.email,
    language: invoice.language,
    currency: invoice.currency,
    amount: invoice.amount,
    targetId: invoice.targetId,
    items: invoice.items.map((item) => ({
      name: item.name,
      unitPrice: item.unitPrice,
      quantity: item.quantity,
      type: item.type,
      rateOfTaxIncludedInPrice: item.rateOfTaxIncludedInPrice,
      amount: item.amount,
      hasSelectedPlan: false,
    })),
    plan: null,
  };
}

/**
 * GET /api/public/custom-payment-gateway/payment-session. Documented: id,
 * paymentAuthorizationRedirectUrl, invoice. Undocumented, from type definitions only (values [?]):
 * state, availablePaymentMethods [{ id, flow, name, checkoutUrl }], paymentMethod, authorization
 * (null until a confirmation), customerId, customerGatewayId, invoice.plan, items[].hasSelectedPlan.
 */
export function sessionView(session: SimSession, redirectUrl: string) {
  const confirmed = session.state !== 'created';
  return {
    id: session.id,
    paymentAuthorizationRedirectUrl: redirectUrl,
    invoice: sessionInvoice(session.invoice),
    state: session.state,
    availablePaymentMethods: session.availablePaymentMethods.map((method) => ({
      id: method.id,
      flow: 'External',
      name: method.name,
      checkoutUrl: method.checkoutUrl,
    })),
    paymentMethod: null,
    authorization: confirmed
      ? {
          flow: 'External',
          confirmationSynchronicity: 'Synchronous',
          state: session.state,
          stateDescriptorCode: session.lastError?.code ?? null,
          stateDescriptor: session.lastError?.message ?? null,
          url: null,
          card: null,
        }
      : null,
    customerId: session.customerId,
    customerGatewayId: null,
  };
}

/** GET /__control/sessions/{id}: API.md's fields, then what else the simulator knows. */
export function controlView(session: SimSession) {
  return {
    id: session.id,
    state: session.state,
    invoice: session.invoice,
    payments: session.confirmations.map((c) => c.body),
    refunds: session.refunds,
    mode: session.mode,
    createdAt: session.createdAt,
    paymentMethodsCall: session.paymentMethodsCall ?? null,
    paymentAnswers: session.confirmations.map(({ at, status }) => ({ at, status })),
    transactionId: session.transactionId ?? null,
    paymentId: session.paymentId ?? null,
    refundsUrl: session.refundsUrl ?? null,
  };
}
