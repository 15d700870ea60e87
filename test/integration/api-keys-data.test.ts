import { describe, expect, it } from 'vitest';
import { findApiKeyByHash, listApiKeys, putApiKey, revokeApiKey } from '#shared/data/api-keys.ts';
import { generateApiKey, hashApiKey } from '#shared/http/api-keys.ts';

describe('API keys on DynamoDB Local', () => {
  it('stores only the hash, finds by hash, lists and revokes', async () => {
    const { key, keyId } = generateApiKey();
    const record = {
      keyId,
      role: 'location' as const,
      location: 'Boulder',
      label: 'Till 2',
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    expect(await putApiKey(hashApiKey(key), record)).toBe(true);
    expect(await putApiKey(hashApiKey(key), record)).toBe(false);
    expect(await findApiKeyByHash(hashApiKey(key))).toEqual(record);
    expect(await findApiKeyByHash(key)).toBeUndefined();
    expect((await listApiKeys()).map((r) => r.keyId)).toContain(keyId);

    expect(await revokeApiKey(keyId, new Date('2026-02-01T00:00:00.000Z'))).toBe(true);
    expect((await findApiKeyByHash(hashApiKey(key)))?.revokedAt).toBe('2026-02-01T00:00:00.000Z');
    expect(await revokeApiKey('key_unknown', new Date())).toBe(false);
  });
});
