/**
 * The whole hub on one machine: DynamoDB Local with the hub's table, a simulator per provider
 * of the providers manifest (infra/providers.ts), a Secrets Manager stand-in holding their
 * keys, the seeded API keys, and the local gateway serving every function, started last so
 * that it answers only when all of that is ready. Provider keys are served by a stand-in for
 * the Parameters and Secrets Lambda Extension. `npm start` and the test suites both start it
 * through `startLocalStack`; `stop()` ends every child process.
 */

import { PROVIDER_LIST, type SecretOf, type ServiceName, type SimulatorOf } from '../providers.ts';
import { type DynamoDbLocal, ensureTable, startDynamoDbLocal } from './dynamodb.ts';
import { type Gateway, runReconciler, startGateway } from './gateway.ts';
import { startLocalSecretsExtension } from './secrets-extension.ts';

export const LOCAL_DEFAULTS = {
  host: '127.0.0.1',
  hubPort: 3000,
  dynamodbPort: 8000,
  tableName: 'payments-hub-local',
  /** Each provider's call timeout, unless the options give one. */
  providerTimeoutMs: 10_000,
  posKey: 'local-pos-key',
  posLocation: 'Denver',
  adminKey: 'local-admin-key',
} as const;

/** How the local stack runs one provider. Every field is optional: the manifest's defaults apply. */
export interface LocalProviderOptions<Secret extends object = object> {
  /** The simulator's port (0: any free port); the manifest's default port otherwise. */
  port?: number;
  /** Point the hub at another host (the provider's real sandbox) instead of the simulator. */
  baseUrl?: string;
  /** The keys the hub uses (with `baseUrl`); the simulator's own otherwise. */
  secret?: Secret;
  /** The hub's timeout per call to the provider. */
  timeoutMs?: number;
}

export interface LocalStackOptions {
  hubPort?: number;
  dynamodbPort?: number;
  /** Use an already running DynamoDB (Local) instead of starting one. */
  dynamodbEndpoint?: string;
  /** Per provider, by name; a field left out falls back to `allProviders`, then to the defaults. */
  providers?: { [P in ServiceName]?: LocalProviderOptions<SecretOf<P>> };
  /** For every provider at once (tests: every simulator on a free port, short timeouts). */
  allProviders?: Pick<LocalProviderOptions, 'port' | 'timeoutMs'>;
  tableName?: string;
  logLevel?: string;
  /**
   * Runs the reconciler every so many ms, as AWS runs it on a schedule and from the table's
   * stream (npm start: every 2 s). 0 or unset: never on its own; `POST /__local/reconcile` runs it.
   */
  reconcileEveryMs?: number;
}

export interface LocalStack {
  hubUrl: string;
  dynamodbEndpoint: string;
  /** DynamoDB Local's Java process, when this stack started it. */
  dynamodbPid?: number;
  /** Each provider's simulator: its URL, and the simulator itself (tests read its state). */
  simulators: { [P in ServiceName]: { url: string; instance: SimulatorOf<P> } };
  /** The host the hub calls for each provider: its simulator, unless the options said otherwise. */
  providerBaseUrls: Record<ServiceName, string>;
  tableName: string;
  keys: { pos: string; posLocation: string; admin: string };
  /** The environment the functions run with, for tests that call shared code directly. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  // This machine runs Node 20; the SDK's notice about its future Node 22 floor is noise here (Lambda runs Node 22).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const d = LOCAL_DEFAULTS;
  const tableName = options.tableName ?? d.tableName;
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => undefined);
  };
  try {
    let dynamo: DynamoDbLocal | undefined;
    if (!options.dynamodbEndpoint) {
      dynamo = await startDynamoDbLocal(options.dynamodbPort ?? d.dynamodbPort);
      stoppers.push(dynamo.stop);
    }
    const dynamodbEndpoint = options.dynamodbEndpoint ?? dynamo?.endpoint ?? '';
    await ensureTable(dynamodbEndpoint, tableName);

    // Each provider: its simulator, its keys in the secrets stand-in, its variables for the functions.
    let hubUrl: string | undefined;
    const simulators: Record<string, { url: string; instance: unknown }> = {};
    const providerBaseUrls: Record<string, string> = {};
    const secretValues: Record<string, string> = {};
    const providerEnv: Record<string, string> = {};
    for (const provider of PROVIDER_LIST) {
      const own: LocalProviderOptions = options.providers?.[provider.name] ?? {};
      const simulator = await provider.simulator.start({
        port: own.port ?? options.allProviders?.port ?? provider.simulator.defaultPort,
        host: d.host,
        secret: provider.simulator.secret,
        hubUrl: () => hubUrl,
      });
      stoppers.push(simulator.close);
      simulators[provider.name] = { url: simulator.url, instance: simulator };
      providerBaseUrls[provider.name] = own.baseUrl ?? simulator.url;
      secretValues[provider.secret.localId] = JSON.stringify(own.secret ?? provider.simulator.secret);
      providerEnv[provider.env.baseUrl] = own.baseUrl ?? simulator.url;
      for (const name of provider.env.alsoBaseUrls ?? []) providerEnv[name] = own.baseUrl ?? simulator.url;
      providerEnv[provider.env.secretId] = provider.secret.localId;
      providerEnv[provider.env.timeoutMs] = String(
        own.timeoutMs ?? options.allProviders?.timeoutMs ?? d.providerTimeoutMs,
      );
    }
    const sessionToken = 'local-session-token';
    const secrets = await startLocalSecretsExtension(secretValues, sessionToken);
    stoppers.push(secrets.close);

    const env: Record<string, string> = {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(secrets.port),
      AWS_SESSION_TOKEN: sessionToken,
      ...providerEnv,
      LOG_LEVEL: options.logLevel ?? 'info',
    };
    // The functions run in this process and read their configuration when first loaded.
    Object.assign(process.env, env);
    // Ready means ready: the keys are stored before the gateway listens, so the first request
    // that /health lets through can already authenticate.
    await seedApiKeys();

    // The hub's public URL is known once the port is bound; it is set before any request is read.
    const gateway: Gateway = await startGateway(options.hubPort ?? d.hubPort, d.host, (url) => {
      hubUrl = url;
      env.HUB_PUBLIC_URL = url;
      process.env.HUB_PUBLIC_URL = url;
    });
    stoppers.push(gateway.close);
    if (options.reconcileEveryMs) stoppers.push(runEvery(options.reconcileEveryMs, () => runReconciler()));

    return {
      hubUrl: gateway.url,
      dynamodbEndpoint,
      ...(dynamo ? { dynamodbPid: dynamo.pid } : {}),
      // Filled by the loop over the manifest, which has an entry for every ServiceName.
      simulators: simulators as LocalStack['simulators'],
      providerBaseUrls: providerBaseUrls as LocalStack['providerBaseUrls'],
      tableName,
      keys: { pos: d.posKey, posLocation: d.posLocation, admin: d.adminKey },
      env,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Runs `task` every `ms` until stopped, one run at a time (a slow run is not overlapped); its
 * failures are printed, never fatal. Returns the stopper, which waits for a run in progress.
 */
function runEvery(ms: number, task: () => Promise<unknown>): () => Promise<void> {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = task()
      .catch((error: unknown) => console.error('[reconciler] sweep failed', error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, ms);
      });
  };
  timer = setTimeout(tick, ms);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

/** The two development keys of API.md, stored hashed like any other key. */
async function seedApiKeys(): Promise<void> {
  const { putApiKey } = await import('../../shared/data/api-keys.ts');
  const { hashApiKey } = await import('../../shared/http/api-keys.ts');
  const createdAt = new Date().toISOString();
  const d = LOCAL_DEFAULTS;
  await putApiKey(hashApiKey(d.posKey), {
    keyId: 'key_local_pos',
    role: 'location',
    location: d.posLocation,
    label: `Local POS (${d.posLocation})`,
    createdAt,
  });
  await putApiKey(hashApiKey(d.adminKey), {
    keyId: 'key_local_admin',
    role: 'admin',
    label: 'Local admin',
    createdAt,
  });
}
