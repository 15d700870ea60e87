/**
 * The route manifest: the one list of functions and routes. The CDK stack creates a
 * function per entry of FUNCTIONS and an HTTP API route per entry of ROUTES; the local
 * gateway serves the same routes from the same list. The neutral routes are here, each
 * provider's own come from the providers manifest (providers.ts). Pure data: no CDK imports,
 * so functions (not-found) may read it too.
 */

import { PAYMENT_PROVIDER_NAMES, PROVIDER_LIST, PROVIDER_NAMES, type ServiceName } from './providers.ts';

export type TableAccess = 'none' | 'read' | 'readWrite';

/**
 * Every function's timeout, in AWS and in the local gateway: below API Gateway's 30 s
 * integration limit, so that the function, not the gateway, answers.
 */
export const FUNCTION_TIMEOUT_SECONDS = 25;

export interface FunctionSpec {
  /** Why the function exists, for the stack's descriptions and the README. */
  description: string;
  table: TableAccess;
  /**
   * The providers whose secret (Secrets Manager, one per provider) and variables the function
   * gets: those whose routes it serves, every provider when it acts on orders of any provider.
   */
  secrets: readonly ServiceName[];
}

/** The providers with a route served by `fn` (a function name, typed loosely to keep the types acyclic). */
function routedProviders(fn: string): ServiceName[] {
  const routing = PROVIDER_LIST.filter((p) => p.routes.some((route) => route.function === fn));
  return [...new Set(routing.flatMap((p) => [p.name, ...(p.uses ?? [])]))];
}

export const FUNCTIONS = {
  health: { description: 'Liveness of the API', table: 'none', secrets: [] },
  'not-found': {
    description: 'problem+json 404/405 for routes the API does not have',
    table: 'none',
    secrets: [],
  },
  'create-store-checkout': {
    description: "Opens a provider's in-store or telesales checkout",
    table: 'readWrite',
    secrets: routedProviders('create-store-checkout'),
  },
  authorize: {
    description: 'Authorizes a checkout the customer confirmed',
    table: 'readWrite',
    secrets: routedProviders('authorize'),
  },
  'get-order': { description: "Reads an order's payment state", table: 'read', secrets: [] },
  'agent-console': {
    description: 'Serves the agent console: a page and its static assets',
    table: 'none',
    secrets: [],
  },
  'manage-transaction': {
    description: 'Captures, refunds or voids an order',
    table: 'readWrite',
    // An order may be of any payment provider.
    secrets: PAYMENT_PROVIDER_NAMES,
  },
  'webhook-receiver': {
    description:
      "Applies a provider's signed checkout notifications once; serves the customer's return pages",
    table: 'readWrite',
    secrets: routedProviders('webhook-receiver'),
  },
  reconciler: {
    description: 'Brings stranded payments and unsettled operations up to date (schedule and table stream)',
    table: 'readWrite',
    // Every provider's orders are swept, and storefronts are told of their payments.
    secrets: PROVIDER_NAMES,
  },
  'list-expiring': {
    description: 'Lists authorizations nearing their expiry',
    table: 'read',
    secrets: [],
  },
  'create-payment': {
    description: 'Opens a payment on shipment: the card is authorized, each shipment debited later',
    table: 'readWrite',
    secrets: routedProviders('create-payment'),
  },
  'ipn-handler': {
    description:
      "Applies the provider's signed payment notifications once; serves the pay page and the signed browser return",
    table: 'readWrite',
    secrets: routedProviders('ipn-handler'),
  },
  'create-shipment': {
    description: 'Debits one shipment of a payment on shipment, at most once',
    table: 'readWrite',
    secrets: routedProviders('create-shipment'),
  },
  'snipcart-payment-methods': {
    description: "Answers a storefront cart's payment methods for a validated token",
    table: 'none',
    secrets: routedProviders('snipcart-payment-methods'),
  },
  'snipcart-payment': {
    description:
      "Serves a storefront's checkout page and the signed browser return; tells the storefront once",
    table: 'readWrite',
    secrets: routedProviders('snipcart-payment'),
  },
  'snipcart-refund': {
    description: "Refunds from a storefront's dashboard through the order's secret link, at most once",
    table: 'readWrite',
    secrets: routedProviders('snipcart-refund'),
  },
} as const satisfies Record<string, FunctionSpec>;

/** Functions without an HTTP route, started by the platform (schedule, stream) or, locally, by the local stack. */
export const BACKGROUND_FUNCTIONS = ['reconciler'] as const satisfies readonly (keyof typeof FUNCTIONS)[];

export type FunctionName = keyof typeof FUNCTIONS;

export interface RouteSpec {
  method: 'GET' | 'POST';
  /** API Gateway path syntax: `{name}` for a path parameter. */
  path: string;
  function: FunctionName;
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/health', function: 'health' },
  ...PROVIDER_LIST.flatMap((provider) => provider.routes),
  { method: 'GET', path: '/v1/orders/{orderId}', function: 'get-order' },
  { method: 'POST', path: '/v1/orders/{orderId}/capture', function: 'manage-transaction' },
  { method: 'POST', path: '/v1/orders/{orderId}/refunds', function: 'manage-transaction' },
  { method: 'POST', path: '/v1/orders/{orderId}/void', function: 'manage-transaction' },
  { method: 'GET', path: '/v1/admin/authorizations/expiring', function: 'list-expiring' },
  { method: 'GET', path: '/console', function: 'agent-console' },
  { method: 'GET', path: '/console/app.css', function: 'agent-console' },
  { method: 'GET', path: '/console/app.js', function: 'agent-console' },
];

/** The catch-all: API Gateway's `$default` route, and the local gateway's fallback. */
export const DEFAULT_ROUTE_FUNCTION: FunctionName = 'not-found';

export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** Matches a concrete path against a route path; returns the path parameters, or undefined. */
export function matchPath(routePath: string, actualPath: string): Record<string, string> | undefined {
  const expected = routePath.split('/');
  const actual = actualPath.split('/');
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < expected.length; i++) {
    const segment = expected[i] ?? '';
    const value = actual[i] ?? '';
    if (segment.startsWith('{') && segment.endsWith('}')) {
      if (!value) return undefined;
      try {
        params[segment.slice(1, -1)] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (segment !== value) {
      return undefined;
    }
  }
  return params;
}
