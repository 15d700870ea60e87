/** `npm run api-keys`: create, list and revoke keys, as an operator would, against the running stack. */

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hub } from '../support/hub.ts';
import { stack } from '../support/stack.ts';

function apiKeys(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/api-keys.ts', ...args], {
    env: { ...process.env, ...stack().env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

describe('api-keys script', () => {
  it('creates a location key that works at once, lists it, and revokes it', async () => {
    const created = apiKeys('create', '--location', 'Aurora', '--label', 'Till 7');
    expect(created.status).toBe(0);
    const keyId = /Created (key_[0-9a-f]+)/.exec(created.out)?.[1];
    const key = created.out.trim().split('\n').at(-1) ?? '';
    expect(key).toMatch(/^hub_[A-Za-z0-9_-]{43}$/);

    // Authenticated: an unknown order is 404, not 401.
    expect((await hub.get('/v1/orders/none-here', { key })).status).toBe(404);
    expect(apiKeys('list').out).toMatch(new RegExp(`${keyId}\\s+location Aurora\\s+active`));

    expect(apiKeys('revoke', keyId ?? '').status).toBe(0);
    expect((await hub.get('/v1/orders/none-here', { key })).status).toBe(401);
    expect(apiKeys('list').out).toMatch(new RegExp(`${keyId}\\s+location Aurora\\s+revoked`));
  });

  it('refuses unclear commands with a usage line and exit code 2', () => {
    expect(apiKeys('create').status).toBe(2);
    expect(apiKeys('create', '--admin', '--location', 'X').status).toBe(2);
    expect(apiKeys('revoke', 'key_nope').err).toContain('no key with id key_nope');
    expect(apiKeys('frobnicate').err).toContain('usage:');
  });
});
