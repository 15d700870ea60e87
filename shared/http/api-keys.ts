/**
 * Bearer API keys. The table stores only SHA-256(key): keys are 256-bit random strings,
 * so an unsalted hash is enough (the same reasoning as GitHub's tokens) and lets the key be
 * found with one GetItem. A lookup by hash reveals nothing usable through timing.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { findApiKeyByHash } from '../data/api-keys.ts';
import type { Caller } from '../domain/caller.ts';
import { HubError } from '../errors.ts';
import { type HttpEvent, type HttpResult, type HubContext, header } from './types.ts';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key (shown once, never stored) and its public id. */
export function generateApiKey(): { key: string; keyId: string } {
  return {
    key: `hub_${randomBytes(32).toString('base64url')}`,
    keyId: `key_${randomBytes(6).toString('hex')}`,
  };
}

const BEARER = /^Bearer +([\x21-\x7e]{8,512})$/i;

function unauthenticated(): HubError {
  return new HubError('UNAUTHENTICATED', 'Send a valid API key as `Authorization: Bearer <key>`.');
}

/** Authenticates the bearer key and puts the caller on the context. Revoked and unknown keys get the same 401. */
export function apiKeyAuth(): MiddlewareObj<HttpEvent, HttpResult, Error, HubContext> {
  return {
    before: async (request) => {
      const match = BEARER.exec(header(request.event, 'authorization') ?? '');
      if (!match?.[1]) throw unauthenticated();
      const record = await findApiKeyByHash(hashApiKey(match[1]));
      if (!record || record.revokedAt) throw unauthenticated();
      const caller: Caller =
        record.role === 'admin'
          ? { keyId: record.keyId, role: 'admin' }
          : { keyId: record.keyId, role: 'location', location: record.location ?? '' };
      request.context.caller = caller;
    },
  };
}
