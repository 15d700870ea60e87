import { DEFAULT_ROUTE_FUNCTION, matchPath, ROUTES } from '#infra/routes.ts';
import { HubError, NotFoundError } from '#shared/errors.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';

/**
 * The `$default` route: any request no route matched. A known path with another method
 * is 405 with `Allow`; anything else is 404. Both are problem+json, like every hub error.
 */
export const handler = httpApi(
  endpoint({}).handler(async (event) => {
    const allowed = ROUTES.filter(
      (route) => route.function !== DEFAULT_ROUTE_FUNCTION && matchPath(route.path, event.rawPath),
    ).map((route) => route.method);
    if (allowed.length === 0) throw new NotFoundError(`${event.rawPath}`);
    const allow = [...new Set(allowed)].join(', ');
    throw new HubError('METHOD_NOT_ALLOWED', `${event.rawPath} accepts ${allow}.`, { headers: { allow } });
  }),
);
