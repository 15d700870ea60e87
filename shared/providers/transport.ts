/**
 * What every provider's client (shared/providers/<p>/client.ts) reads the same way from a failed
 * call: its name, whether it surely never left (the only failure after which a write may be sent
 * again), and what the caller may be told. One policy, stated once: a read is retried once; a
 * write only when the request surely never left this machine.
 */

/** Retries of a read (or of a write that surely never left). */
export const READ_RETRIES = 1;

/** The connection was never made: the request did not leave, a write may be sent again. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** The connection broke after the request may have been read: the outcome is unknown. */
const LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

const stringCode = (value: unknown): string | undefined => {
  const code = (value as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * A readable name for a failed call, for logs and the retry decision: the socket's code that
 * fetch wraps in `cause` (ECONNRESET...), else the error's own string code, else its name
 * (TimeoutError). A DOMException's numeric `code` (23 for a timeout) is not a name.
 */
export function transportErrorName(error: unknown): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : undefined;
  return stringCode((error as { cause?: unknown } | null)?.cause) ?? stringCode(error) ?? name ?? 'unknown';
}

/** Whether a failure with this name (transportErrorName) surely happened before the request left. */
export const neverSent = (name: string): boolean => NOT_SENT.has(name);

/** What the caller may be told about a call `provider` did not answer: no address, no internal message. */
export function unansweredDetail(provider: string, error: unknown, timeoutMs: number): string {
  const name = transportErrorName(error);
  if (name === 'TimeoutError')
    return `${provider} did not answer within ${Number((timeoutMs / 1000).toFixed(1))} s.`;
  if (LOST.has(name)) return `The connection to ${provider} was lost before it answered.`;
  if (NOT_SENT.has(name)) return `${provider} could not be reached.`;
  return `${provider} did not answer.`;
}
