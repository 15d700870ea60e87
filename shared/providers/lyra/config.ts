/**
 * Lyra's configuration: the environment variables its adapter reads (named in env.ts) and the
 * shape of the Secrets Manager secret holding the shop's keys (Back Office, Settings > Shop >
 * REST API keys; providers/lyra.md section 1).
 */

import * as z from 'zod/mini';
import { positiveInt, required, url } from '../../config.ts';
import { once } from '../../once.ts';
import { defaultStaticUrl, LYRA_DEFAULT_BASE_URL, LYRA_DEFAULT_TIMEOUT_MS, LYRA_ENV } from './env.ts';

export { LYRA_DEFAULT_BASE_URL, LYRA_DEFAULT_TIMEOUT_MS, LYRA_ENV };

const key = () => z.string().check(z.minLength(1), z.maxLength(512));

/**
 * The secret's JSON value. `shopId` is the HTTP Basic user, so it cannot hold a colon; the REST
 * password signs IPNs (kr-hash-key `password`), the HMAC-SHA-256 key signs browser returns
 * (`sha256_hmac`), the public key (`shopId:testpublickey_...`) goes to the embedded form.
 * Test and production keys differ: the secret holds one set, and that set picks the mode.
 */
/** Built when the secret is first read (the first call to the provider), not at load. */
export const lyraSecret = once(() =>
  z.object({
    shopId: z.string().check(z.regex(/^[^:\s]{1,64}$/)),
    restPassword: key(),
    hmacKey: key(),
    publicKey: key(),
  }),
);

export type LyraCredentials = z.infer<ReturnType<typeof lyraSecret>>;

export const lyraConfig = once(() => {
  const baseUrl = url(LYRA_ENV.baseUrl, LYRA_DEFAULT_BASE_URL);
  return {
    /** Any brand's API host (https://api.payzen.eu, https://api.systempay.fr...), or the simulator. */
    baseUrl,
    /** Where the embedded form's script is served. */
    staticUrl: url(LYRA_ENV.staticUrl, defaultStaticUrl(baseUrl)),
    secretId: required(LYRA_ENV.secretId),
    timeoutMs: positiveInt(LYRA_ENV.timeoutMs, LYRA_DEFAULT_TIMEOUT_MS),
  };
});
