import { clock } from '#shared/clock.ts';
import { confirmFromBrowser } from '#shared/domain/affirm/browser-return.ts';
import { applyCheckoutEvent } from '#shared/domain/affirm/checkout-events.ts';
import { NotFoundError, ProviderUnavailableError } from '#shared/errors.ts';
import { browserReturnBody, checkoutTokenOf, returnPage } from '#shared/http/affirm-return-pages.ts';
import { endpoint, httpApi, type Served } from '#shared/http/endpoint.ts';
import { page } from '#shared/http/pages.ts';
import { verifiedSignature } from '#shared/http/signature.ts';
import { type HttpEvent, json } from '#shared/http/types.ts';
import { log } from '#shared/log.ts';
import { affirmWebhookBody, toCheckoutEvent } from '#shared/providers/affirm/webhook.ts';
import { affirmDeps, affirmWebhookVerifier } from '#shared/wiring/affirm.ts';

/**
 * POST /v1/affirm/webhooks: Affirm's signed checkout event. Verified (401 otherwise), applied
 * once, answered at once: nothing between the verification and the answer calls Affirm (a
 * confirmed telesales checkout is authorized by the reconciler, which the change triggers).
 */
const webhook = endpoint({
  signature: verifiedSignature(affirmWebhookVerifier()),
  body: () => affirmWebhookBody(),
  formats: ['form'],
}).handler(async (event) => {
  const checkoutEvent = toCheckoutEvent(event.body, event.rawBody);
  const result = await applyCheckoutEvent(affirmDeps().orders, checkoutEvent, clock.now());
  log.info('affirm webhook', { event: checkoutEvent.type, outcome: result.outcome });
  return json(200, { received: true, outcome: result.outcome });
});

/** POST|GET /v1/affirm/confirm: the customer's browser after confirming (checkout_token). Checked at Affirm. */
const confirm = endpoint({ body: () => browserReturnBody(), formats: ['form'] }).handler(async (event) => {
  const checkoutId = checkoutTokenOf(event);
  if (!checkoutId) return returnPage('unknown_checkout');
  try {
    return returnPage(await confirmFromBrowser(affirmDeps(), checkoutId, clock.now()));
  } catch (error) {
    // Affirm could not be read: the customer is told it is being confirmed; the reconciler will.
    if (!(error instanceof ProviderUnavailableError)) throw error;
    return returnPage('pending');
  }
});

/** GET /v1/affirm/cancel: the customer left Affirm's page. Nothing changes. */
const cancel: Served = async () =>
  page(200, 'You left the Affirm checkout', [
    'Nothing was charged and nothing was ordered with Affirm.',
    'If you want to pay with Affirm after all, ask the store or the agent to send you a new link.',
  ]);

const ROUTES: Record<string, Served> = {
  'POST /v1/affirm/webhooks': webhook,
  'POST /v1/affirm/confirm': confirm,
  'GET /v1/affirm/confirm': confirm,
  'GET /v1/affirm/cancel': cancel,
};

export const handler = httpApi((event: HttpEvent, context) => {
  const serve = ROUTES[event.routeKey];
  if (!serve) throw new NotFoundError('The route');
  return serve(event, context);
});
