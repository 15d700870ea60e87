/**
 * Lyra's error answers, read where they arrive (the client). A V4 ERROR envelope carries
 * `answer.errorCode` (PREFIX_NNN: ACQ, AUTH, CLIENT, INT, PSP) and `detailedErrorCode`; each code
 * the hub knows is read below as a neutral refusal (ProviderRefusal, Lyra did nothing) or as an
 * unknown outcome (ProviderUnavailableError: the saga reads Order/Get before anything is sent
 * again). Sources, as providers/lyra.md marks them: [C] confirmed by official docs or code,
 * [S] secondary (the shipment codes come from a third-party transcription of Systempay's list,
 * and appear in the brief's seed 003), [?] not confirmed.
 *
 * What the caller sees is the hub's own text for the code, never Lyra's messages: a
 * detailedErrorMessage may echo the input (INT_010: `value=TTT`; INT_015 an e-mail address).
 */

import type { RefusalReason } from '../../domain/ports.ts';
import { ProviderRefusal } from '../../domain/ports.ts';
import { ProviderUnavailableError } from '../../errors.ts';

/** What a code means for the hub: a definite refusal with its neutral reason, or an unknown outcome. */
export type LyraCodeReading = RefusalReason | 'unknown_outcome';

interface CodeEntry {
  reading: LyraCodeReading;
  /** The hub's words for it (shown to the caller through the saga's error). */
  says: string;
}

/** Every code the hub reads. Anything else is UNKNOWN_CODE_READING. */
export const LYRA_ERROR_CODES: Readonly<Record<string, CodeEntry>> = {
  // [C] INT_905: the PHP SDK's tests expect it for a wrong password (HTTP status [?]: 200 or 401).
  INT_905: { reading: 'credentials', says: 'the shop id or REST password was refused' },
  // [C] JSON decode error: the hub sent something Lyra could not read.
  INT_902: { reading: 'invalid_request', says: 'the request could not be decoded' },
  // [C] errors-reference example (INT_015 invalid customer email).
  INT_015: { reading: 'invalid_request', says: 'the customer e-mail is invalid' },
  // [S] seed 003 error table; [C] for INT_010 (recorded answer create_payment__error_INT_010).
  INT_009: { reading: 'invalid_request', says: 'the amount is invalid' },
  INT_010: { reading: 'invalid_request', says: 'the currency is invalid' },
  INT_050: { reading: 'invalid_request', says: 'the strongAuthentication value is invalid' },
  // [S] unknown currency / currency not supported by the shop's contract: the caller must change it.
  PSP_519: { reading: 'invalid_request', says: 'the currency is unknown' },
  PSP_606: { reading: 'invalid_request', says: "the currency is not supported by the shop's contract" },
  // [S] "Unknown technical error when creating a shipping transaction". Read as an UNKNOWN
  // OUTCOME, not `technical`: nothing says the debit was not created, and a `technical`
  // refusal would release the reservation and let the hub debit again.
  PSP_227: { reading: 'unknown_outcome', says: 'an unknown technical error occurred creating the shipment' },
  // [S] "Shipping transaction created but the response could not be generated": the debit exists.
  PSP_228: { reading: 'unknown_outcome', says: 'the shipment was created but Lyra could not answer' },
  // [S] "Unable to create a shipping transaction": a definite refusal, reason not given (a
  // candidate for "sum of shipments over the authorized amount" [?]).
  PSP_229: { reading: 'not_allowed', says: 'Lyra could not create the shipment' },
  // [S] "An initial shipping transaction cannot be modified".
  PSP_231: { reading: 'not_allowed', says: 'the initial transaction cannot be modified' },
  // [S] "A shipping transaction cannot be duplicated": the saga then reads whether it landed.
  PSP_236: { reading: 'already_applied', says: 'this shipment was already created' },
  // [S][?] "Amount is greater than authorized" (third-party list only; kept because the
  // reading is unambiguous).
  PSP_546: { reading: 'amount_exceeded', says: 'the amount is greater than what remains authorized' },
  // [C] Order/Get answers at most 30 transactions, else PSP_015 (the Systempay playground).
  PSP_015: { reading: 'technical', says: 'the order has too many transactions to be listed' },
};

/**
 * A code the table does not know is an UNKNOWN OUTCOME. Lyra's official list shows only
 * PSP_001..PSP_076 and the shipment codes come from a secondary source, so a code the hub does
 * not know cannot be taken to mean "nothing was done": reading Order/Get settles it, whereas a
 * wrong "refused" would release a reservation for a debit that may exist. The cost of the
 * default is a 502 (retryable) and a read where a 4xx would have been right.
 */
export const UNKNOWN_CODE_READING: LyraCodeReading = 'unknown_outcome';

/** A code the hub may show: Lyra's codes are short upper-case tokens; anything else is not echoed. */
const CODE_SHAPE = /^[A-Z]{2,8}_\d{1,4}$/;

/** The error answer of an ERROR envelope, as the client read it. */
export interface LyraErrorAnswer {
  errorCode: string;
  detailedErrorCode?: string | null;
}

/** The reading of an error answer: errorCode first, then detailedErrorCode, then the default. */
export function readingOf(error: LyraErrorAnswer): { code: string; reading: LyraCodeReading; says?: string } {
  const code = CODE_SHAPE.test(error.errorCode) ? error.errorCode : 'unrecognised';
  const known = LYRA_ERROR_CODES[error.errorCode] ?? LYRA_ERROR_CODES[error.detailedErrorCode ?? ''];
  return known ? { code, reading: known.reading, says: known.says } : { code, reading: UNKNOWN_CODE_READING };
}

/** The failure an ERROR envelope means. `status` is the HTTP status it came with (200 or 401). */
export function lyraErrorFrom(
  error: LyraErrorAnswer,
  status: number,
): ProviderRefusal | ProviderUnavailableError {
  const { code, reading, says } = readingOf(error);
  if (reading === 'unknown_outcome') {
    return new ProviderUnavailableError(`Lyra answered ${code}; the outcome is unknown.`, {
      publicDetail: `Lyra answered ${code}${says ? ` (${says})` : ''}.`,
    });
  }
  return new ProviderRefusal(reading, code, `Lyra refused the request: ${says} (${code}).`, status);
}

/** Standard reason phrases, for the caller's detail of an unknown outcome (never Lyra's own text). */
const REASON_PHRASES: Record<number, string> = {
  408: 'request timeout',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/**
 * A non-2xx answer that is not a readable ERROR envelope, mapped like Affirm's: 5xx, 408 and 429
 * are unknown outcomes; 401 refused credentials; 404 not found; any other 4xx an invalid request.
 */
export function lyraHttpFailure(status: number): ProviderRefusal | ProviderUnavailableError {
  if (status >= 500 || status === 408 || status === 429) {
    const phrase = REASON_PHRASES[status];
    return new ProviderUnavailableError(`Lyra answered ${status}.`, {
      publicDetail: `Lyra answered ${status}${phrase ? ` (${phrase})` : ''}.`,
    });
  }
  const reason: RefusalReason =
    status === 401 ? 'credentials' : status === 404 ? 'not_found' : 'invalid_request';
  return new ProviderRefusal(reason, `http_${status}`, `Lyra refused the request (HTTP ${status}).`, status);
}

/** A 2xx answer the hub cannot read: the request may have been applied. */
export function unreadableAnswer(): ProviderUnavailableError {
  return new ProviderUnavailableError('Lyra answered with an unreadable body.', {
    publicDetail: 'Lyra answered with a body the hub could not read.',
  });
}
