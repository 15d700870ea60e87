import { once } from './once.ts';

/**
 * Configuration from the environment, validated when a section is first used and
 * cached for the container's life. A missing or malformed variable throws
 * ConfigError at once (fail fast) instead of surfacing later as a strange request failure.
 * Secrets are never configured here: only the id of the Secrets Manager secret that holds them.
 * This file holds the hub's own sections (table, public URL) and the readers every section uses;
 * each provider's section lives with its adapter (shared/providers/<provider>/config.ts).
 */

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The variable's trimmed value; ConfigError when unset or blank. */
export function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new ConfigError(`environment variable ${name} is required`);
  return value;
}

/** The variable's trimmed value, or undefined when unset or blank. */
export function optional(name: string): string | undefined {
  return process.env[name]?.trim() || undefined;
}

/** An http(s) URL without trailing slashes, from the variable or `fallback`. */
export function url(name: string, fallback?: string): string {
  const value = optional(name) ?? fallback;
  if (value === undefined) throw new ConfigError(`environment variable ${name} is required`);
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new ConfigError(`environment variable ${name} must be an http(s) URL`);
  }
  return value.replace(/\/+$/, '');
}

/** A positive integer from the variable, or `fallback` when unset. */
export function positiveInt(name: string, fallback: number): number {
  const raw = optional(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new ConfigError(`environment variable ${name} must be a positive integer`);
  return value;
}

export const tableConfig = once(() => ({
  tableName: required('TABLE_NAME'),
  /** Local stack only: DynamoDB Local's URL. Unset in AWS. */
  endpoint: optional('DYNAMODB_ENDPOINT'),
  /**
   * Bounds on each DynamoDB call, so that a stalled or unreachable DynamoDB becomes a 503
   * problem in a few seconds, well inside the function timeout (25 s), instead of hanging.
   * Worst case per call: maxAttempts x (connect or request timeout) plus the SDK's short back-off.
   */
  connectTimeoutMs: positiveInt('DYNAMODB_CONNECT_TIMEOUT_MS', 1_000),
  requestTimeoutMs: positiveInt('DYNAMODB_REQUEST_TIMEOUT_MS', 2_500),
  maxAttempts: positiveInt('DYNAMODB_MAX_ATTEMPTS', 2),
}));

export const hubConfig = once(() => ({
  /** The hub's public base URL: providers send the customer's browser back to it. */
  publicUrl: url('HUB_PUBLIC_URL'),
}));
