/** Types of the agent console script's pure exports (app.js is plain JavaScript, served as written). */

export declare const MAX_MINOR_AMOUNT: number;
export declare function centsFromText(
  text: string,
  options?: { allowZero?: boolean },
): { cents: number; error?: undefined } | { error: string; cents?: undefined };
export declare function formatMinor(amount: number, currency: string): string;
export declare const ERROR_MESSAGES: Record<string, string>;

/** A failed answer: the hub could not be reached, or it answered `status` with `body`. */
export type FailedAnswer =
  | { network: true }
  | { network?: false; status: number; body?: unknown; requestId?: string };
export declare function describeFailure(answer: FailedAnswer, labelOf?: (path: string) => string): string;
export declare function isRetryable(answer: FailedAnswer | { status: number; body?: unknown }): boolean;
export declare function requestKeys(random?: () => string): {
  keyFor(fingerprint: string): string;
  settle(answer: FailedAnswer | { status: number; body?: unknown }): void;
};
export declare const FINAL_STATUSES: string[];
export declare function allowedActions(
  view: { status: string; affirm?: { checkoutId?: string } } | undefined,
): ('authorize' | 'capture' | 'refund' | 'void')[];
export declare function newOrderId(now?: Date, random?: () => string): string;
export declare function checkoutRequest(
  fields: Record<string, string>,
  itemRows?: Record<string, string>[],
):
  | { body: Record<string, unknown>; errors?: undefined }
  | { errors: { path: string; message: string }[]; body?: undefined };
