/**
 * `npm start`: the hub on this machine, on DynamoDB Local and the simulators.
 * Every default of API.md can be overridden by an environment variable:
 *   HUB_PORT, DYNAMODB_PORT, DYNAMODB_ENDPOINT (use a running DynamoDB instead), LOG_LEVEL, and for
 *   each provider of the manifest (infra/providers.ts): its simulator's port variable, its base-URL
 *   variable, and its key variables (all of them, to talk to the provider's real sandbox).
 * The hub's port opens only once everything is ready (the development keys are stored), so a
 * caller that sees /health answer can use the keys at once. Ctrl-C stops everything it started.
 */

import { PROVIDER_LIST, type ProviderSpec } from '../providers.ts';
import { type LocalProviderOptions, type LocalStackOptions, startLocalStack } from './stack.ts';

const env = process.env;
const port = (name: string) => (env[name] ? Number(env[name]) : undefined);

/** The keys `npm start` was given for a provider: every one of its key variables set, or none used. */
function secretFromEnv(provider: ProviderSpec): object | undefined {
  const fields = Object.entries(provider.simulator.secretEnv) as [string, string][];
  const values = fields.map(([field, name]) => [field, env[name]] as const);
  return values.every(([, value]) => value) ? Object.fromEntries(values) : undefined;
}

const providerOptions = (provider: ProviderSpec): LocalProviderOptions => ({
  port: port(provider.simulator.portEnv),
  baseUrl: env[provider.env.baseUrl],
  secret: secretFromEnv(provider),
});

const options: LocalStackOptions = {
  hubPort: port('HUB_PORT'),
  dynamodbPort: port('DYNAMODB_PORT'),
  dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
  providers: Object.fromEntries(PROVIDER_LIST.map((provider) => [provider.name, providerOptions(provider)])),
  logLevel: env.LOG_LEVEL,
  // The reconciler as AWS runs it (schedule and table stream), here on a short interval.
  reconcileEveryMs: port('RECONCILE_EVERY_MS') ?? 2_000,
};

const started = Date.now();
const stack = await startLocalStack(options);

const column = (label: string) => `  ${label.padEnd(18)}`;
const providerLines = PROVIDER_LIST.flatMap((provider) => {
  const simulatorUrl = stack.simulators[provider.name].url;
  const baseUrl = stack.providerBaseUrls[provider.name];
  return [
    `${column(`${provider.title} simulator`)}${simulatorUrl}            keys ${Object.values(provider.simulator.secret).join(' / ')}`,
    `${column(`${provider.title} used`)}${baseUrl === simulatorUrl ? 'the simulator' : baseUrl}`,
  ];
});
const tryIt = PROVIDER_LIST.flatMap((provider) => {
  const text = provider.simulator.tryIt?.({
    hubUrl: stack.hubUrl,
    simulatorUrl: stack.simulators[provider.name].url,
    posKey: stack.keys.pos,
  });
  return text ? [text] : [];
});

console.log(`
  Payments hub, local stack (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

${column('Hub API')}${stack.hubUrl}            (health: ${stack.hubUrl}/health)
${column('Agent console')}${stack.hubUrl}/console    (a POS API key below; kept in the tab only)
${column('DynamoDB Local')}${stack.dynamodbEndpoint}            table ${stack.tableName}, in memory
${providerLines.join('\n')}
${column('POS API key')}${stack.keys.pos}  (location ${stack.keys.posLocation})
${column('Admin API key')}${stack.keys.admin}

  Try it:
${tryIt.join('\n\n')}

  Ctrl-C stops everything.
`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the local stack...`);
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
