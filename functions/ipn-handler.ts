import { clock } from '#shared/clock.ts';
import { hubConfig } from '#shared/config.ts';
import { applyLyraAnswer, type LyraAnswerSource } from '#shared/domain/lyra/notifications.ts';
import { asLyra, type LyraOrder, payPageRef } from '#shared/domain/lyra/order.ts';
import { HubError, NotFoundError } from '#shared/errors.ts';
import { endpoint, httpApi, type Served } from '#shared/http/endpoint.ts';
import { PAY_TOKEN, payPage, returnPage } from '#shared/http/lyra-pages.ts';
import { krFormBody } from '#shared/http/schemas/lyra.ts';
import { verifiedSignature } from '#shared/http/signature.ts';
import { type HttpEvent, json } from '#shared/http/types.ts';
import { log } from '#shared/log.ts';
import { lyraConfig } from '#shared/providers/lyra/config.ts';
import { readKrAnswer } from '#shared/providers/lyra/mapping.ts';
import { lyraDeps, lyraFormSettings, lyraVerifiers } from '#shared/wiring/lyra.ts';

/** Lyra's signed answer, read once its kr-hash was checked; 400 when it is not a payment the hub can read. */
async function applySigned(krAnswer: string, source: LyraAnswerSource) {
  const answer = readKrAnswer(krAnswer);
  if (!answer) throw new HubError('VALIDATION_FAILED', 'kr-answer is not a V4/Payment the hub can read.');
  const result = await applyLyraAnswer(lyraDeps().orders, answer, source, clock.now());
  log.info('lyra answer', { source, outcome: result.outcome, orderStatus: answer.orderStatus });
  return result;
}

/**
 * POST /v1/lyra/ipn: Lyra's IPN, signed with the REST password. Verified (401 otherwise), applied
 * once, answered 200 whether applied, already applied or about an order the hub does not have
 * (Lyra retries anything else; an unknown order will not appear by retrying).
 */
const ipn = endpoint({
  signature: verifiedSignature(lyraVerifiers().ipn),
  body: () => krFormBody(),
  formats: ['form'],
}).handler(async (event) => {
  const result = await applySigned(event.body['kr-answer'], 'ipn');
  return json(200, { received: true, outcome: result.outcome });
});

/**
 * POST /v1/lyra/return: the shopper's browser, posting Lyra's answer signed with the HMAC key
 * (the browser cannot forge it). Applied like an IPN (it usually comes second and changes
 * nothing); the page says what the stored order says.
 */
const browserReturn = endpoint({
  signature: verifiedSignature(lyraVerifiers().browserReturn),
  body: () => krFormBody(),
  formats: ['form'],
}).handler(async (event) => {
  const result = await applySigned(event.body['kr-answer'], 'browser');
  if (result.outcome === 'unknown_order') return returnPage(undefined);
  if (result.outcome !== 'duplicate') return returnPage(result.order);
  const answer = readKrAnswer(event.body['kr-answer']);
  const orderId = answer?.orderDetails.orderId;
  const order = orderId ? await lyraDeps().orders.get(orderId) : undefined;
  return returnPage(order?.provider === 'lyra' ? order : undefined);
});

/** GET /v1/lyra/pay/{payToken}: the hub's pay page, showing Lyra's embedded form for the order. */
const pay: Served = async (event: HttpEvent) => {
  const token = event.pathParameters?.payToken ?? '';
  const found = PAY_TOKEN.test(token)
    ? await lyraDeps().orders.findByProviderRef('lyra', payPageRef(token))
    : undefined;
  const order: LyraOrder | undefined = found ? asLyra(found) : undefined;
  const settings = await lyraFormSettings();
  return payPage(order, {
    scriptUrl: settings.scriptUrl,
    publicKey: settings.publicKey,
    origins: [new URL(settings.staticUrl).origin, new URL(lyraConfig().baseUrl).origin],
    returnUrl: `${hubConfig().publicUrl}/v1/lyra/return`,
  });
};

const ROUTES: Record<string, Served> = {
  'POST /v1/lyra/ipn': ipn,
  'POST /v1/lyra/return': browserReturn,
  'GET /v1/lyra/pay/{payToken}': pay,
};

export const handler = httpApi((event: HttpEvent, context) => {
  const serve = ROUTES[event.routeKey];
  if (!serve) throw new NotFoundError('The route');
  return serve(event, context);
});
