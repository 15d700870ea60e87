/**
 * `npm start`: the hub on this machine, on DynamoDB Local and the simulators.
 * Every default of API.md can be overridden by an environment variable:
 *   HUB_PORT, DYNAMODB_PORT, DYNAMODB_ENDPOINT (use a running DynamoDB instead), AFFIRM_SIMULATOR_PORT,
 *   AFFIRM_BASE_URL + AFFIRM_PUBLIC_API_KEY + AFFIRM_PRIVATE_API_KEY (talk to Affirm's real sandbox), LOG_LEVEL.
 * The hub's port opens only once everything is ready (the development keys are stored), so a
 * caller that sees /health answer can use the keys at once. Ctrl-C stops everything it started.
 */

import { LOCAL_DEFAULTS, type LocalStackOptions, startLocalStack } from './stack.ts';

const env = process.env;
const port = (name: string) => (env[name] ? Number(env[name]) : undefined);

const options: LocalStackOptions = {
  hubPort: port('HUB_PORT'),
  dynamodbPort: port('DYNAMODB_PORT'),
  dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
  affirmPort: port('AFFIRM_SIMULATOR_PORT'),
  affirmBaseUrl: env.AFFIRM_BASE_URL,
  affirmKeys:
    env.AFFIRM_PUBLIC_API_KEY && env.AFFIRM_PRIVATE_API_KEY
      ? { publicApiKey: env.AFFIRM_PUBLIC_API_KEY, privateApiKey: env.AFFIRM_PRIVATE_API_KEY }
      : undefined,
  logLevel: env.LOG_LEVEL,
};

const started = Date.now();
const stack = await startLocalStack(options);
const d = LOCAL_DEFAULTS;
const usingSimulator = stack.affirmBaseUrl === stack.affirmSimulatorUrl;
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

console.log(`
  Payments hub, local stack (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

  Hub API           ${stack.hubUrl}            (health: ${stack.hubUrl}/health)
  DynamoDB Local    ${stack.dynamodbEndpoint}            table ${stack.tableName}, in memory
  Affirm simulator  ${stack.affirmSimulatorUrl}            keys ${d.affirmPublicKey} / ${d.affirmPrivateKey}
  Affirm used       ${usingSimulator ? 'the simulator' : stack.affirmBaseUrl}
  POS API key       ${stack.keys.pos}  (location ${stack.keys.posLocation})
  Admin API key     ${stack.keys.admin}

  Try it:
    curl -s ${stack.hubUrl}/v1/affirm/checkouts \\
      -H 'authorization: Bearer ${stack.keys.pos}' -H 'content-type: application/json' \\
      -d '${example}'

  Then approve as the customer (${stack.affirmSimulatorUrl}/__control/outbox has the link) and authorize:
    curl -s -X POST ${stack.affirmSimulatorUrl}/__control/checkouts/<checkoutId>/approve
    curl -s -X POST ${stack.hubUrl}/v1/affirm/checkouts/<checkoutId>/authorize -H 'authorization: Bearer ${stack.keys.pos}'

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
