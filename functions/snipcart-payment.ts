import { clock } from '#shared/clock.ts';
import { hubConfig } from '#shared/config.ts';
import { applyLyraAnswer } from '#shared/domain/lyra/notifications.ts';
import { asLyra } from '#shared/domain/lyra/order.ts';
import { ProviderRefusal } from '#shared/domain/ports.ts';
import { openSnipcartCheckout } from '#shared/domain/snipcart/checkout.ts';
import { returnUrlForBrowser } from '#shared/domain/snipcart/confirm.ts';
import { snipcartLink } from '#shared/domain/snipcart/link.ts';
import { HubError, NotFoundError } from '#shared/errors.ts';
import { endpoint, httpApi, type Served } from '#shared/http/endpoint.ts';
import type { PayForm } from '#shared/http/lyra-pages.ts';
import { krFormBody } from '#shared/http/schemas/lyra.ts';
import { verifiedSignature } from '#shared/http/signature.ts';
import { checkoutPage, checkoutRefusedPage, continuePage } from '#shared/http/snipcart-pages.ts';
import type { HttpEvent, HttpResult } from '#shared/http/types.ts';
import { log } from '#shared/log.ts';
import { lyraConfig } from '#shared/providers/lyra/config.ts';
import { readKrAnswer } from '#shared/providers/lyra/mapping.ts';
import { isTokenShaped } from '#shared/providers/snipcart/mapping.ts';
import { lyraDeps, lyraFormSettings, lyraVerifiers } from '#shared/wiring/lyra.ts';
import { snipcartCheckoutDeps, snipcartConfirmDeps } from '#shared/wiring/snipcart-orders.ts';

const RETURN_PATH = '/v1/snipcart/return';

/** The web origin of a URL, if it is an http(s) one. */
function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Lyra's form for a Snipcart checkout: its post may be redirected back to the store's own site. */
async function payForm(storeUrl: string | undefined): Promise<PayForm> {
  const settings = await lyraFormSettings();
  const store = originOf(storeUrl);
  return {
    scriptUrl: settings.scriptUrl,
    publicKey: settings.publicKey,
    origins: [new URL(settings.staticUrl).origin, new URL(lyraConfig().baseUrl).origin],
    returnUrl: `${hubConfig().publicUrl}${RETURN_PATH}`,
    ...(store ? { redirectOrigins: [store] } : {}),
  };
}

/**
 * On to Snipcart's returnUrl: a 303 when the checkout page's policy lets the form's post be
 * redirected there (the store's own site), else a page that links and refreshes to it (a browser
 * refuses a form's redirect to an origin its form-action does not name).
 */
function onToSnipcart(returnUrl: string, storeUrl: string): HttpResult {
  if (originOf(returnUrl) === originOf(storeUrl))
    return { statusCode: 303, headers: { location: returnUrl, 'cache-control': 'no-store' }, body: '' };
  return continuePage(returnUrl);
}

/** The page for what stops a checkout from opening; undefined for the unexpected (a 500). */
function checkoutFailurePage(error: unknown): HttpResult | undefined {
  if (error instanceof ProviderRefusal)
    return checkoutRefusedPage(
      404,
      'Snipcart does not know this checkout; go back to the store and try again.',
    );
  if (!(error instanceof HubError)) return undefined;
  switch (error.code) {
    case 'VALIDATION_FAILED':
      return checkoutRefusedPage(422, error.message);
    case 'OPERATION_IN_PROGRESS':
      return checkoutRefusedPage(
        409,
        'This checkout is opening in another tab or window: reload this page in a moment.',
      );
    case 'PROVIDER_UNAVAILABLE':
      return checkoutRefusedPage(502, 'The payment service did not answer: reload this page in a moment.');
    case 'PROVIDER_REJECTED':
    case 'ORDER_EXISTS':
      return checkoutRefusedPage(
        422,
        'This cart cannot be paid here: go back to the store to choose another way to pay.',
      );
    default:
      return undefined;
  }
}

/**
 * GET /v1/snipcart/checkout?publicToken=...: the checkout page. The session is read from
 * Snipcart server-side (an unknown token shows no form); its payment is opened for exactly the
 * session's amount. A payment already authorized goes on to Snipcart's returnUrl.
 */
const checkout: Served = async (event: HttpEvent) => {
  const token = event.queryStringParameters?.publicToken;
  if (!isTokenShaped(token))
    return checkoutRefusedPage(401, 'This checkout link carries no valid Snipcart token.');
  let opened: Awaited<ReturnType<typeof openSnipcartCheckout>>;
  try {
    opened = await openSnipcartCheckout(snipcartCheckoutDeps(), token, clock.now());
  } catch (error) {
    // A shopper's browser gets a page, never a JSON problem.
    const page = checkoutFailurePage(error);
    if (page) return page;
    throw error;
  }
  if (opened.order.authorizedAmount > 0) {
    const returnUrl = await returnUrlForBrowser(snipcartConfirmDeps(), opened.order, clock.now);
    // Not a form's post: a plain redirect is always allowed.
    if (returnUrl)
      return { statusCode: 303, headers: { location: returnUrl, 'cache-control': 'no-store' }, body: '' };
  }
  return checkoutPage(opened, await payForm(opened.session.paymentAuthorizationRedirectUrl));
};

/**
 * POST /v1/snipcart/return: the shopper's browser posting Lyra's answer, signed with the HMAC key
 * (401 and nothing done otherwise). Applied like an IPN; then, if the payment is authorized,
 * Snipcart is told and the browser goes to its returnUrl (303); a refused card shows the checkout
 * page again with the reason.
 */
const browserReturn = endpoint({
  signature: verifiedSignature(lyraVerifiers().browserReturn),
  body: () => krFormBody(),
  formats: ['form'],
}).handler(async (event) => {
  const answer = readKrAnswer(event.body['kr-answer']);
  if (!answer) throw new HubError('VALIDATION_FAILED', 'kr-answer is not a V4/Payment the hub can read.');
  const { orders } = lyraDeps();
  const result = await applyLyraAnswer(orders, answer, 'browser', clock.now());
  const stored = await orders.get(answer.orderDetails.orderId ?? '');
  const link = stored ? snipcartLink(stored) : undefined;
  if (stored?.provider !== 'lyra' || !link) throw new NotFoundError('The Snipcart checkout');
  const order = asLyra(stored);
  log.info('snipcart return', { outcome: result.outcome, orderStatus: answer.orderStatus });
  if (order.authorizedAmount > 0) {
    const returnUrl = await returnUrlForBrowser(snipcartConfirmDeps(), order, clock.now);
    if (returnUrl) return onToSnipcart(returnUrl, link.storeUrl);
  }
  const notice =
    answer.orderStatus === 'PAID'
      ? undefined
      : 'Your card was refused and nothing was charged. You may try another card.';
  // The checkout page again: the session read anew, and a new form if Lyra closed the refused one.
  const again = link.publicToken
    ? await openSnipcartCheckout(snipcartCheckoutDeps(), link.publicToken, clock.now()).catch((error) => {
        log.warn('snipcart checkout not reopened', { error });
        return undefined;
      })
    : undefined;
  if (!again)
    return checkoutRefusedPage(200, notice ?? 'Your payment is registered; the shop is being told.');
  return checkoutPage(again, await payForm(again.session.paymentAuthorizationRedirectUrl), notice);
});

const ROUTES: Record<string, Served> = {
  'GET /v1/snipcart/checkout': checkout,
  [`POST ${RETURN_PATH}`]: browserReturn,
};

export const handler = httpApi((event: HttpEvent, context) => {
  const serve = ROUTES[event.routeKey];
  if (!serve) throw new NotFoundError('The route');
  return serve(event, context);
});
