/**
 * The providers manifest: every payment provider the hub talks to, listed once. From it the
 * CDK stack creates one secret per provider, gives each function the variables of the
 * providers it uses and routes each provider's routes (through routes.ts); the local stack
 * starts each simulator, stores its keys in the secrets stand-in and prints its banner lines.
 * Adding a provider is adding an entry here (the type requires one per ProviderName).
 *
 * The only file under infra/ that names a provider, simulators aside (test/unit/boundaries.test.ts).
 * No CDK import: the not-found function reads the routes through routes.ts. Simulators are
 * imported only when started, through a specifier esbuild does not follow, so that neither the
 * CDK app nor a function bundle loads simulator code.
 */

import type { ProviderName } from '../shared/domain/order.ts';
import type { AffirmCredentials } from '../shared/providers/affirm/config.ts';
import { AFFIRM_ENV, AFFIRM_SANDBOX_URL } from '../shared/providers/affirm/env.ts';
import type { LyraCredentials } from '../shared/providers/lyra/config.ts';
import { LYRA_DEFAULT_BASE_URL, LYRA_ENV } from '../shared/providers/lyra/env.ts';
import type { SnipcartCredentials } from '../shared/providers/snipcart/config.ts';
import { SNIPCART_DEFAULT_PAYMENT_BASE_URL, SNIPCART_ENV } from '../shared/providers/snipcart/env.ts';
import type { AffirmSimulator } from './local/simulators/affirm/server.ts';
import type { LyraSimulator } from './local/simulators/lyra/server.ts';
import type { SnipcartSimulator } from './local/simulators/snipcart/server.ts';
import type { RouteSpec } from './routes.ts';

/** A simulator the local stack started. */
export interface LocalSimulator {
  url: string;
  close(): Promise<void>;
}

export interface SimulatorStartOptions<Secret> {
  /** 0: any free port. */
  port: number;
  host: string;
  /** The keys the simulator accepts: its own (API.md), whatever keys the hub is given. */
  secret: Secret;
  /** The hub's URL, known once the gateway listens (for simulators that call the hub). */
  hubUrl(): string | undefined;
}

/**
 * Every service the hub talks to: the payment providers (an order's `provider`, with a connector)
 * and the storefronts whose checkout the hub serves (Snipcart, paid with a provider's payment).
 */
export type ServiceName = ProviderName | 'snipcart';

export interface ProviderSpec<
  Secret extends object = object,
  Simulator extends LocalSimulator = LocalSimulator,
  Name extends ServiceName = ServiceName,
> {
  name: Name;
  /** A payment provider moves money (manage-transaction needs its keys); a storefront only sells. */
  kind: 'payment' | 'storefront';
  /** Other services the functions serving its routes need (a storefront's payments are a provider's). */
  uses?: readonly ServiceName[];
  /** For people (banner, docs) and the stack output `<title>SecretArn`: one word. */
  title: string;
  /** What the hub does with the provider, for the stack's description. */
  summary: string;
  /**
   * The variables the provider's adapter reads (shared/providers/<provider>/config.ts): the
   * stack and the local stack set these on every function that uses the provider.
   */
  env: {
    baseUrl: string;
    secretId: string;
    timeoutMs: string;
    /** Further base-URL variables that point at the same simulator locally (a second host). */
    alsoBaseUrls?: readonly string[];
  };
  /** The API host: `default` (a sandbox) unless `npm run deploy -- -c <contextKey>=<url>` says otherwise. */
  baseUrl: { default: string; contextKey: string };
  secret: {
    /** The secret's construct id. Never rename it: the secret is retained, a new id deploys a second one. */
    constructId: string;
    /** The secret's description in AWS: the JSON shape the operator stores. */
    description: string;
    /** Its id in the local secrets stand-in. */
    localId: string;
  };
  /** The provider's own routes; routes.ts adds the neutral ones. */
  routes: readonly RouteSpec[];
  simulator: {
    defaultPort: number;
    /** The `npm start` variable that moves it to another port. */
    portEnv: string;
    /** Its keys (API.md): the local secret, unless `secretEnv` replaces them. */
    secret: Secret;
    /** `npm start` variables replacing the local secret's fields (to use the real sandbox): all set, or none used. */
    secretEnv: { [K in keyof Secret]: string };
    start(options: SimulatorStartOptions<Secret>): Promise<Simulator>;
    /** `npm start`'s banner: a request to try, and what to do next. */
    tryIt?(context: { hubUrl: string; simulatorUrl: string; posKey: string }): string;
  };
}

/**
 * Imports a simulator module when it is started. The specifier is built at run time: esbuild
 * leaves such an import alone, where a literal one would put the simulator in the bundle.
 */
const lazily = <Module>(path: string): Promise<Module> =>
  import(new URL(path, import.meta.url).href) as Promise<Module>;

/** The hub's route for Affirm's webhooks (API.md), where the local Affirm simulator sends them. */
export const AFFIRM_WEBHOOK_PATH = '/v1/affirm/webhooks';

/** The hub's route for Lyra's IPN (API.md): the shop's notification URL, where the Lyra simulator posts. */
export const LYRA_IPN_PATH = '/v1/lyra/ipn';

const provider = <Name extends ServiceName, Secret extends object, Simulator extends LocalSimulator>(
  spec: ProviderSpec<Secret, Simulator, Name>,
) => spec;

export const PROVIDERS = {
  affirm: provider<'affirm', AffirmCredentials, AffirmSimulator>({
    name: 'affirm',
    kind: 'payment',
    title: 'Affirm',
    summary: 'Affirm in store and telesales',
    env: { baseUrl: AFFIRM_ENV.baseUrl, secretId: AFFIRM_ENV.secretId, timeoutMs: AFFIRM_ENV.timeoutMs },
    baseUrl: { default: AFFIRM_SANDBOX_URL, contextKey: 'affirmBaseUrl' },
    secret: {
      constructId: 'AffirmKeys',
      description:
        'Affirm merchant keys: {"publicApiKey":"...","privateApiKey":"..."} (set after deploy, see README)',
      localId: 'payments-hub/affirm',
    },
    routes: [
      { method: 'POST', path: '/v1/affirm/checkouts', function: 'create-store-checkout' },
      { method: 'POST', path: '/v1/affirm/checkouts/{checkoutId}/authorize', function: 'authorize' },
      { method: 'POST', path: '/v1/affirm/webhooks', function: 'webhook-receiver' },
      { method: 'POST', path: '/v1/affirm/confirm', function: 'webhook-receiver' },
      { method: 'GET', path: '/v1/affirm/confirm', function: 'webhook-receiver' },
      { method: 'GET', path: '/v1/affirm/cancel', function: 'webhook-receiver' },
    ],
    simulator: {
      defaultPort: 4010,
      portEnv: 'AFFIRM_SIMULATOR_PORT',
      secret: { publicApiKey: 'sim_affirm_public', privateApiKey: 'sim_affirm_private' },
      secretEnv: { publicApiKey: 'AFFIRM_PUBLIC_API_KEY', privateApiKey: 'AFFIRM_PRIVATE_API_KEY' },
      async start({ port, host, secret, hubUrl }) {
        const { startAffirmSimulator } = await lazily<typeof import('./local/simulators/affirm/server.ts')>(
          './local/simulators/affirm/server.ts',
        );
        // API.md: webhooks go to AFFIRM_WEBHOOK_URL (as Affirm support would configure it), else to
        // the hub's webhook route once the hub listens.
        const configured = process.env.AFFIRM_WEBHOOK_URL || undefined;
        return startAffirmSimulator({
          port,
          host,
          publicKey: secret.publicApiKey,
          privateKey: secret.privateApiKey,
          webhookUrl: () => {
            const hub = hubUrl();
            return configured ?? (hub ? `${hub}${AFFIRM_WEBHOOK_PATH}` : undefined);
          },
        });
      },
      tryIt: ({ hubUrl, simulatorUrl, posKey }) => {
        const example = JSON.stringify({
          orderId: `demo-${Date.now()}`,
          channel: 'in_store',
          amount: 125000,
          currency: 'USD',
          customer: {
            name: { first: 'Jane', last: 'Doe' },
            email: 'jane@example.com',
            address: { line1: '1 Main St', city: 'Denver', state: 'CO', zipcode: '80202', country: 'USA' },
          },
          metadata: { storeLocation: 'Denver', entityName: 'Demo Store' },
        });
        return `    curl -s ${hubUrl}/v1/affirm/checkouts \\
      -H 'authorization: Bearer ${posKey}' -H 'content-type: application/json' \\
      -d '${example}'

  Then approve as the customer (${simulatorUrl}/__control/outbox has the link) and authorize:
    curl -s -X POST ${simulatorUrl}/__control/checkouts/<checkoutId>/approve
    curl -s -X POST ${hubUrl}/v1/affirm/checkouts/<checkoutId>/authorize -H 'authorization: Bearer ${posKey}'`;
      },
    },
  }),
  lyra: provider<'lyra', LyraCredentials, LyraSimulator>({
    name: 'lyra',
    kind: 'payment',
    title: 'Lyra',
    summary: 'Lyra (PayZen, Systempay...) payment on shipment',
    env: { baseUrl: LYRA_ENV.baseUrl, secretId: LYRA_ENV.secretId, timeoutMs: LYRA_ENV.timeoutMs },
    // The brand is the host (api.payzen.eu, api.systempay.fr...); the keys in the secret choose TEST or PRODUCTION.
    baseUrl: { default: LYRA_DEFAULT_BASE_URL, contextKey: 'lyraBaseUrl' },
    secret: {
      constructId: 'LyraKeys',
      description:
        'Lyra shop keys: {"shopId":"...","restPassword":"...","hmacKey":"...","publicKey":"shopId:..."} (Back Office > Settings > Shop > REST API keys, see README)',
      localId: 'payments-hub/lyra',
    },
    routes: [
      { method: 'POST', path: '/v1/lyra/payments', function: 'create-payment' },
      { method: 'POST', path: LYRA_IPN_PATH, function: 'ipn-handler' },
      { method: 'GET', path: '/v1/lyra/pay/{payToken}', function: 'ipn-handler' },
      { method: 'POST', path: '/v1/lyra/return', function: 'ipn-handler' },
      { method: 'POST', path: '/v1/orders/{orderId}/shipments', function: 'create-shipment' },
    ],
    simulator: {
      defaultPort: 4020,
      portEnv: 'LYRA_SIMULATOR_PORT',
      secret: {
        shopId: '69876357',
        restPassword: 'testpassword_SIM',
        hmacKey: 'testhmac_SIM',
        publicKey: '69876357:testpublickey_SIM',
      },
      secretEnv: {
        shopId: 'LYRA_SHOP_ID',
        restPassword: 'LYRA_REST_PASSWORD',
        hmacKey: 'LYRA_HMAC_KEY',
        publicKey: 'LYRA_PUBLIC_KEY',
      },
      async start({ port, host, secret, hubUrl }) {
        const { startLyraSimulator } = await lazily<typeof import('./local/simulators/lyra/server.ts')>(
          './local/simulators/lyra/server.ts',
        );
        return startLyraSimulator({
          port,
          host,
          ...secret,
          // The shop's IPN URL, as set in the Back Office; the hub also sends it with each payment.
          ipnUrl: () => {
            const hub = hubUrl();
            return hub ? `${hub}${LYRA_IPN_PATH}` : undefined;
          },
        });
      },
      tryIt: ({ hubUrl, simulatorUrl, posKey }) => {
        const example = JSON.stringify({
          orderId: `ship-${Date.now()}`,
          amount: 7412,
          currency: 'EUR',
          customer: { email: 'jane@example.com' },
        });
        return `    curl -s ${hubUrl}/v1/lyra/payments \\
      -H 'authorization: Bearer ${posKey}' -H 'content-type: application/json' \\
      -d '${example}'

  Then open its lyra.payUrl in a browser and pay with 4970100000000055 (or, without a browser:
    curl -s -X POST ${simulatorUrl}/__control/payments/<formToken>/pay -H 'content-type: application/json' -d '{"card":"4970100000000055"}')
  and debit the first shipment:
    curl -s ${hubUrl}/v1/orders/<orderId>/shipments -H 'authorization: Bearer ${posKey}' \\
      -H 'content-type: application/json' -d '{"shipmentId":"parcel-1","amount":3500}'`;
      },
    },
  }),
  snipcart: provider<'snipcart', SnipcartCredentials, SnipcartSimulator>({
    name: 'snipcart',
    kind: 'storefront',
    // Its checkout is paid with a Lyra payment on shipment; its refunds are Lyra's.
    uses: ['lyra'],
    title: 'Snipcart',
    summary: "Snipcart's custom payment gateway",
    env: {
      baseUrl: SNIPCART_ENV.paymentBaseUrl,
      secretId: SNIPCART_ENV.secretId,
      timeoutMs: SNIPCART_ENV.timeoutMs,
      alsoBaseUrls: [SNIPCART_ENV.appBaseUrl],
    },
    baseUrl: { default: SNIPCART_DEFAULT_PAYMENT_BASE_URL, contextKey: 'snipcartBaseUrl' },
    secret: {
      constructId: 'SnipcartKeys',
      description:
        'Snipcart keys: {"secretKey":"<custom gateway secret API key>","restApiKey":"<secret REST API key>"} (see README)',
      localId: 'payments-hub/snipcart',
    },
    routes: [
      { method: 'POST', path: '/v1/snipcart/payment-methods', function: 'snipcart-payment-methods' },
      { method: 'GET', path: '/v1/snipcart/checkout', function: 'snipcart-payment' },
      { method: 'POST', path: '/v1/snipcart/return', function: 'snipcart-payment' },
      { method: 'POST', path: '/v1/snipcart/refunds/{orderId}', function: 'snipcart-refund' },
    ],
    simulator: {
      defaultPort: 4030,
      portEnv: 'SNIPCART_SIMULATOR_PORT',
      secret: { secretKey: 'sim_snipcart_secret', restApiKey: 'sim_snipcart_rest_key' },
      secretEnv: { secretKey: 'SNIPCART_SECRET_KEY', restApiKey: 'SNIPCART_REST_API_KEY' },
      async start({ port, host, secret, hubUrl }) {
        const { startSnipcartSimulator } = await lazily<
          typeof import('./local/simulators/snipcart/server.ts')
        >('./local/simulators/snipcart/server.ts');
        return startSnipcartSimulator({
          port,
          host,
          secret: { secretApiKey: secret.secretKey, restApiKey: secret.restApiKey },
          hubUrl,
        });
      },
      tryIt: ({ simulatorUrl }) =>
        `    open ${simulatorUrl}/store in a browser: a demo shop whose cart pays through the hub (card 4970100000000055)`,
    },
  }),
} satisfies { [P in ServiceName]: { name: P } };

/** The manifest as a list, for loops. */
export const PROVIDER_LIST: readonly ProviderSpec[] = Object.values(PROVIDERS);

export const PROVIDER_NAMES: readonly ServiceName[] = PROVIDER_LIST.map((p) => p.name);

/** The payment providers only: what a function acting on an order of any provider needs. */
export const PAYMENT_PROVIDER_NAMES: readonly ServiceName[] = PROVIDER_LIST.filter(
  (p) => p.kind === 'payment',
).map((p) => p.name);

/** A provider's secret value, and the simulator its start gives, as the manifest types them. */
export type SecretOf<P extends ServiceName> = (typeof PROVIDERS)[P]['simulator']['secret'];
export type SimulatorOf<P extends ServiceName> = Awaited<
  ReturnType<(typeof PROVIDERS)[P]['simulator']['start']>
>;
