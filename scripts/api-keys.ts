/**
 * `npm run api-keys -- <command>`: create, list and revoke the hub's API keys.
 *
 *   create --location <name> [--label <text>]   a POS / back-office key acting on one location's orders
 *   create --admin [--label <text>]             a key acting on every order
 *   list                                        key ids, roles, locations, labels, states
 *   revoke <keyId>                              the key stops working at once
 *
 * The key itself is printed once, at creation, and stored only as its SHA-256.
 * Talks to the table named by TABLE_NAME, with the usual AWS credentials and AWS_REGION;
 * set DYNAMODB_ENDPOINT for DynamoDB Local (npm start prints it).
 */

import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    location: { type: 'string' },
    admin: { type: 'boolean' },
    label: { type: 'string' },
    help: { type: 'boolean' },
  },
});
const [command, ...rest] = positionals;
const usage =
  'usage: npm run api-keys -- create (--location <name> | --admin) [--label <text>] | list | revoke <keyId>';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

if (values.help || !command) {
  console.log(usage);
  process.exit(command ? 0 : 2);
}
if (!process.env.TABLE_NAME)
  fail('TABLE_NAME is not set (the table the stack created; `npm start` uses payments-hub-local).');

const { listApiKeys, putApiKey, revokeApiKey } = await import('../shared/data/api-keys.ts');
const { generateApiKey, hashApiKey } = await import('../shared/http/api-keys.ts');

switch (command) {
  case 'create': {
    if (Boolean(values.admin) === Boolean(values.location))
      fail('create needs exactly one of --location <name> or --admin');
    const location = values.location?.trim();
    if (location !== undefined && !/^[\w .-]{1,100}$/.test(location))
      fail('--location must be 1-100 letters, digits, spaces, dots or dashes');
    const { key, keyId } = generateApiKey();
    const label = values.label ?? (location ? `POS ${location}` : 'admin');
    await putApiKey(hashApiKey(key), {
      keyId,
      role: location ? 'location' : 'admin',
      ...(location ? { location } : {}),
      label,
      createdAt: new Date().toISOString(),
    });
    console.log(`Created ${keyId} (${location ? `location ${location}` : 'admin'}, "${label}").`);
    console.log('The key is shown only this once; store it in the POS configuration:');
    console.log(key);
    break;
  }
  case 'list': {
    const keys = await listApiKeys();
    if (keys.length === 0) console.log('No API keys.');
    for (const k of keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
      const scope = k.role === 'admin' ? 'admin' : `location ${k.location}`;
      console.log(
        `${k.keyId}  ${scope.padEnd(24)} ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'.padEnd(32)}  "${k.label}"`,
      );
    }
    break;
  }
  case 'revoke': {
    const [keyId] = rest;
    if (!keyId) fail('revoke needs a key id (see `list`)');
    if (!(await revokeApiKey(keyId, new Date()))) fail(`no key with id ${keyId}`);
    console.log(`Revoked ${keyId}; requests with it are refused from now on.`);
    break;
  }
  default:
    fail(usage);
}
