import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { json } from '#shared/http/types.ts';

/** GET /health: the API is up. Touches nothing, so it stays cheap enough to poll. */
export const handler = httpApi(
  endpoint({}).handler(async () => json(200, { status: 'ok', service: 'payments-hub' })),
);
