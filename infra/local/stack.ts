/**
 * The whole hub on one machine: DynamoDB Local with the hub's table, the provider
 * simulators, a Secrets Manager stand-in holding the simulators' keys, the seeded API
 * keys, and the local gateway serving every function, started last so that it answers only
 * when all of that is ready. Provider keys are served by a
 * stand-in for the Parameters and Secrets Lambda Extension. `npm start` and the test suites
 * both start it through `startLocalStack`; `stop()` ends every child process.
 */

import { type DynamoDbLocal, ensureTable, startDynamoDbLocal } from './dynamodb.ts';
import { type Gateway, startGateway } from './gateway.ts';
import { startLocalSecretsExtension } from './secrets-extension.ts';
import { type AffirmSimulator, startAffirmSimulator } from './simulators/affirm/server.ts';

export const LOCAL_DEFAULTS = {
  host: '127.0.0.1',
  hubPort: 3000,
  dynamodbPort: 8000,
  affirmPort: 4010,
  tableName: 'payments-hub-local',
  affirmPublicKey: 'sim_affirm_public',
  affirmPrivateKey: 'sim_affirm_private',
  affirmSecretId: 'payments-hub/affirm',
  posKey: 'local-pos-key',
  posLocation: 'Denver',
  adminKey: 'local-admin-key',
} as const;

export interface LocalStackOptions {
  hubPort?: number;
  dynamodbPort?: number;
  /** Use an already running DynamoDB (Local) instead of starting one. */
  dynamodbEndpoint?: string;
  affirmPort?: number;
  /** Point the hub at another Affirm (the real sandbox) instead of the simulator. */
  affirmBaseUrl?: string;
  affirmKeys?: { publicApiKey: string; privateApiKey: string };
  affirmTimeoutMs?: number;
  tableName?: string;
  logLevel?: string;
}

export interface LocalStack {
  hubUrl: string;
  dynamodbEndpoint: string;
  /** DynamoDB Local's Java process, when this stack started it. */
  dynamodbPid?: number;
  affirmSimulatorUrl: string;
  affirmBaseUrl: string;
  tableName: string;
  affirm: AffirmSimulator;
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

    const affirm = await startAffirmSimulator({
      port: options.affirmPort ?? d.affirmPort,
      host: d.host,
      publicKey: d.affirmPublicKey,
      privateKey: d.affirmPrivateKey,
    });
    stoppers.push(affirm.close);
    const affirmKeys = options.affirmKeys ?? {
      publicApiKey: d.affirmPublicKey,
      privateApiKey: d.affirmPrivateKey,
    };
    const sessionToken = 'local-session-token';
    const secrets = await startLocalSecretsExtension(
      { [d.affirmSecretId]: JSON.stringify(affirmKeys) },
      sessionToken,
    );
    stoppers.push(secrets.close);

    const affirmBaseUrl = options.affirmBaseUrl ?? affirm.url;
    const env: Record<string, string> = {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(secrets.port),
      AWS_SESSION_TOKEN: sessionToken,
      AFFIRM_BASE_URL: affirmBaseUrl,
      AFFIRM_SECRET_ID: d.affirmSecretId,
      AFFIRM_TIMEOUT_MS: String(options.affirmTimeoutMs ?? 10_000),
      LOG_LEVEL: options.logLevel ?? 'info',
    };
    // The functions run in this process and read their configuration when first loaded.
    Object.assign(process.env, env);
    // Ready means ready: the keys are stored before the gateway listens, so the first request
    // that /health lets through can already authenticate.
    await seedApiKeys();

    // The hub's public URL is known once the port is bound; it is set before any request is read.
    const gateway: Gateway = await startGateway(options.hubPort ?? d.hubPort, d.host, (url) => {
      env.HUB_PUBLIC_URL = url;
      process.env.HUB_PUBLIC_URL = url;
    });
    stoppers.push(gateway.close);

    return {
      hubUrl: gateway.url,
      dynamodbEndpoint,
      ...(dynamo ? { dynamodbPid: dynamo.pid } : {}),
      affirmSimulatorUrl: affirm.url,
      affirmBaseUrl,
      tableName,
      affirm,
      keys: { pos: d.posKey, posLocation: d.posLocation, admin: d.adminKey },
      env,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
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
