import { clock } from '#shared/clock.ts';
import { hubConfig } from '#shared/config.ts';
import { fingerprint } from '#shared/domain/fingerprint.ts';
import { type LyraOrder, lyraView } from '#shared/domain/lyra/order.ts';
import { createLyraPayment } from '#shared/domain/lyra/payment.ts';
import { apiKeyAuth } from '#shared/http/api-keys.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { idempotency, ridingAnswer } from '#shared/http/idempotency.ts';
import { orderView } from '#shared/http/order-view.ts';
import { createPaymentBody } from '#shared/http/schemas/lyra.ts';
import { json } from '#shared/http/types.ts';
import { lyraDeps, lyraFormSettings } from '#shared/wiring/lyra.ts';

/**
 * POST /v1/lyra/payments: a Lyra payment on shipment. 201: the order view, awaiting payment,
 * with what a page needs to show Lyra's embedded form, and the hub's own page that does (payUrl).
 */
export const handler = httpApi(
  endpoint({ auth: apiKeyAuth(), body: () => createPaymentBody(), idempotency: idempotency() }).handler(
    async (event, context) => {
      const now = clock.now();
      const form = await lyraFormSettings();
      const view = (order: LyraOrder) => {
        const base = orderView(order, now);
        return json(201, {
          ...base,
          lyra: {
            ...lyraView(order),
            formToken: order.payment.formToken,
            publicKey: form.publicKey,
            scriptUrl: form.scriptUrl,
            payUrl: `${hubConfig().publicUrl}/v1/lyra/pay/${order.payment.payToken}`,
          },
        });
      };
      const reply = ridingAnswer(context, (order) => view(order as LyraOrder));
      const { phone, ...customer } = event.body.customer;
      const created = await createLyraPayment(
        lyraDeps(),
        {
          orderId: event.body.orderId,
          amount: event.body.amount,
          currency: event.body.currency,
          customer: { ...customer, ...(phone ? { phoneNumber: phone } : {}) },
          ...(event.body.metadata ? { metadata: event.body.metadata } : {}),
          caller: context.caller,
          fingerprint: fingerprint(event.body),
          riding: reply.riding,
        },
        now,
      );
      return reply.answer({ order: created });
    },
  ),
);
