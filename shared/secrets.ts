/**
 * Provider keys live in Secrets Manager (one secret per provider). Each secret is read
 * once per container and cached; `forgetSecret` drops it after the provider rejects the
 * keys, so a rotated secret is picked up on the next call.
 *
 * The Secrets Manager client is imported on first use: it stays off the cold-load path
 * of functions and requests that never need a provider key. Locally,
 * SECRETS_MANAGER_ENDPOINT points it at the local stack's stand-in.
 */

const cache = new Map<string, Promise<unknown>>();

type Client = { send(command: unknown): Promise<{ SecretString?: string }> };
let client: Promise<{ client: Client; command: (id: string) => unknown }> | undefined;

function secretsClient() {
  client ??= import('@aws-sdk/client-secrets-manager').then((sdk) => {
    const endpoint = process.env.SECRETS_MANAGER_ENDPOINT;
    return {
      client: new sdk.SecretsManagerClient(endpoint ? { endpoint } : {}) as Client,
      command: (id: string) => new sdk.GetSecretValueCommand({ SecretId: id }),
    };
  });
  return client;
}

/** Returns the secret's JSON value, checked by `parse`, from the container's cache when present. */
export function secretJson<T>(secretId: string, parse: (value: unknown) => T): Promise<T> {
  let entry = cache.get(secretId) as Promise<T> | undefined;
  if (!entry) {
    entry = (async () => {
      const { client, command } = await secretsClient();
      const result = await client.send(command(secretId));
      if (!result.SecretString) throw new Error(`secret ${secretId} has no string value`);
      return parse(JSON.parse(result.SecretString));
    })();
    cache.set(secretId, entry);
    // A failed read is not cached: the next request tries again.
    entry.catch(() => cache.delete(secretId));
  }
  return entry;
}

export function forgetSecret(secretId: string): void {
  cache.delete(secretId);
}
