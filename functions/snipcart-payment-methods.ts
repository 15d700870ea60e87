import { paymentMethodsFor } from '#shared/domain/snipcart/methods.ts';
import { HubError } from '#shared/errors.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { snipcartJsonBody } from '#shared/http/schemas/snipcart.ts';
import { json } from '#shared/http/types.ts';
import { log } from '#shared/log.ts';
import { readPaymentMethodsRequest } from '#shared/providers/snipcart/mapping.ts';
import { snipcartGateway, snipcartSettings } from '#shared/wiring/snipcart.ts';

/**
 * POST /v1/snipcart/payment-methods: Snipcart's cart asks which ways to pay fit the invoice.
 * The public token (body, else query string) must be one Snipcart validates: 401 INVALID_TOKEN
 * otherwise, and no method is shown. An outage of Snipcart is a 502: never "valid" by default.
 */
export const handler = httpApi(
  endpoint({ body: () => snipcartJsonBody(), formats: ['json'] }).handler(async (event) => {
    const request = readPaymentMethodsRequest(event.body, event.queryStringParameters?.publicToken);
    if (!request) throw new HubError('INVALID_TOKEN', 'The request carries no Snipcart public token.');
    if (!(await snipcartGateway().validatePublicToken(request.publicToken)))
      throw new HubError('INVALID_TOKEN', 'Snipcart does not know this public token.');
    const methods = paymentMethodsFor(request.invoice, snipcartSettings());
    log.info('snipcart payment methods', { mode: request.mode, offered: methods.length });
    return json(200, methods);
  }),
);
