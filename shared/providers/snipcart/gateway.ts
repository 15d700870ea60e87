/**
 * The Snipcart gateway the domain uses (SnipcartGateway, shared/domain/snipcart/types.ts), over
 * the transport client. What each answer means (providers/snipcart.md sections 1-5):
 *   - validate: any 2xx is genuine, any 4xx is not [DOC D1]; an outage is never "genuine";
 *   - payment-session: a 4xx means Snipcart does not know the token (`not_found`) [UNCONFIRMED:
 *     no error status is documented]; a 2xx the hub cannot read is an unknown outcome;
 *   - payment: `{returnUrl}` on 2xx; 401 refuses the secret key; a 2xx without a usable returnUrl
 *     is an unknown outcome (the confirmation may have been recorded: post it again);
 *   - requestvalidation: genuine only on 200 with the token echoed [DOC D8]; 401 refuses the REST
 *     key and says nothing about the token, so it is not read as "not genuine" but as a failure.
 * A token that cannot be Snipcart's (mapping.ts isTokenShaped) is refused without a call.
 */

import { ProviderRefusal } from '../../domain/ports.ts';
import type { SnipcartGateway } from '../../domain/snipcart/types.ts';
import type { SnipcartClient } from './client.ts';
import { snipcartHttpFailure, unreadableAnswer } from './errors.ts';
import {
  isTokenShaped,
  readConfirmationAnswer,
  requestValidationMatches,
  toConfirmationWire,
  toSnipcartSession,
} from './mapping.ts';
import { sessionWire } from './schemas.ts';

const is2xx = (status: number) => status >= 200 && status <= 299;

export function createSnipcartGateway(client: SnipcartClient): SnipcartGateway {
  return {
    async validatePublicToken(token) {
      if (!isTokenShaped(token)) return false;
      // The client throws for 5xx, 408, 429, redirects and no answer: what is left is 2xx or 4xx.
      return is2xx((await client.validate(token)).status);
    },

    async paymentSession(token) {
      if (!isTokenShaped(token)) {
        throw new ProviderRefusal('not_found', 'malformed_token', 'The Snipcart public token is malformed.');
      }
      const { status, body } = await client.paymentSession(token);
      if (!is2xx(status))
        throw snipcartHttpFailure(status, body, { authenticated: false, otherwise: 'not_found' });
      const parsed = sessionWire().safeParse(body);
      if (!parsed.success) throw unreadableAnswer();
      return toSnipcartSession(parsed.data);
    },

    async confirmPayment(confirmation) {
      const { status, body } = await client.payment(toConfirmationWire(confirmation));
      if (!is2xx(status)) {
        throw snipcartHttpFailure(status, body, { authenticated: true, otherwise: 'invalid_request' });
      }
      return readConfirmationAnswer(body);
    },

    async validateRequestToken(token) {
      if (!isTokenShaped(token)) return false;
      const { status, body } = await client.requestValidation(token);
      if (status === 401)
        throw snipcartHttpFailure(status, body, { authenticated: true, otherwise: 'credentials' });
      return status === 200 && requestValidationMatches(body, token);
    },
  };
}
