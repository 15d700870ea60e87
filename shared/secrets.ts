/**
 * Provider keys live in Secrets Manager (one secret per provider). Functions read them
 * through the AWS Parameters and Secrets Lambda Extension, a layer that answers on
 * localhost and keeps its own cache (AWS's recommended way: no SDK client in the bundle,
 * fewer Secrets Manager calls). Each secret is also kept for the container's life here;
 * `forgetSecret` drops it after the provider refuses the keys, so a rotated secret is
 * picked up on the next call. The local stack runs a stand-in for the extension.
 */

const cache = new Map<string, Promise<unknown>>();

/** The extension answers within milliseconds once started; this only bounds a broken one. */
const EXTENSION_TIMEOUT_MS = 3_000;

async function readSecretString(secretId: string): Promise<string> {
  const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const response = await fetch(
    `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
    {
      headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN ?? '' },
      signal: AbortSignal.timeout(EXTENSION_TIMEOUT_MS),
    },
  );
  // The body of a failed read is never echoed: it could name the secret's content in some errors.
  if (!response.ok) throw new Error(`the secrets extension answered ${response.status} for ${secretId}`);
  const { SecretString } = (await response.json()) as { SecretString?: string };
  if (!SecretString) throw new Error(`secret ${secretId} has no string value`);
  return SecretString;
}

/** Returns the secret's JSON value, checked by `parse`, from the container's cache when present. */
export function secretJson<T>(secretId: string, parse: (value: unknown) => T): Promise<T> {
  let entry = cache.get(secretId) as Promise<T> | undefined;
  if (!entry) {
    entry = readSecretString(secretId).then((text) => parse(JSON.parse(text)));
    cache.set(secretId, entry);
    // A failed read is not cached: the next request tries again.
    entry.catch(() => cache.delete(secretId));
  }
  return entry;
}

export function forgetSecret(secretId: string): void {
  cache.delete(secretId);
}
