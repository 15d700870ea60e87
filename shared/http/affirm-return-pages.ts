/**
 * The pages the customer's browser lands on when it comes back from Affirm, in plain words:
 * what happened and what happens next. The checkout token comes in the form body (POST, the
 * hub asks Affirm for `user_confirmation_url_action: POST`) or the query string (GET).
 */

import * as z from 'zod/mini';
import type { BrowserReturn } from '../domain/affirm/browser-return.ts';
import { once } from '../once.ts';
import { page } from './pages.ts';
import { CHECKOUT_ID } from './path-params.ts';
import type { HttpResult, ParsedEvent } from './types.ts';

/** Built on first use, not at import (cold load). */
export const browserReturnBody = once(() => z.object({ checkout_token: z.optional(z.string()) }));

/** The checkout token, from the form or the query; undefined when absent or not a checkout id. */
export function checkoutTokenOf(
  event: ParsedEvent<z.infer<ReturnType<typeof browserReturnBody>>>,
): string | undefined {
  const token = event.body.checkout_token ?? event.queryStringParameters?.checkout_token;
  return token && CHECKOUT_ID.test(token) ? token : undefined;
}

const PAGES: Record<BrowserReturn, { status: number; title: string; text: string[] }> = {
  confirmed: {
    status: 200,
    title: 'Thank you: your Affirm financing is confirmed',
    text: [
      'The store now completes your order. You do not need to do anything else.',
      'Affirm will send you the details of your loan. You can close this page.',
    ],
  },
  pending: {
    status: 200,
    title: 'Thank you: we are confirming with Affirm',
    text: [
      'Affirm is letting the store know. This usually takes a few seconds.',
      'The store or the agent will tell you when your order is complete. You can close this page.',
    ],
  },
  not_confirmed: {
    status: 200,
    title: 'Affirm has not confirmed your financing yet',
    text: [
      'Nothing has been charged. If you have not finished on Affirm, go back to the link Affirm sent you.',
      'If you think you have finished, tell the store or the agent: they can check it with Affirm.',
    ],
  },
  declined: {
    status: 200,
    title: 'Affirm did not approve this financing',
    text: ['Nothing has been charged. The store or the agent can offer you another way to pay.'],
  },
  expired: {
    status: 200,
    title: 'This Affirm link has expired',
    text: ['Nothing has been charged. Ask the store or the agent to send you a new link.'],
  },
  unknown_checkout: {
    status: 404,
    title: 'We could not find this order',
    text: [
      'Nothing has been charged. If you were buying something, ask the store or the agent to check your order.',
    ],
  },
};

export function returnPage(result: BrowserReturn): HttpResult {
  const { status, title, text } = PAGES[result];
  return page(status, title, text);
}
