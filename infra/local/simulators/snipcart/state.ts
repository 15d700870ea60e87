/**
 * The Snipcart simulator's state: payment sessions, the public tokens that name them, the request
 * tokens of its outgoing calls, and each session's state machine (server.ts's header says which
 * choices are [?]).
 *
 *   created ──► processing ──► processed   (final; a re-post of the same transactionId updates
 *      │  ▲          │                       links.refunds and instructions)
 *      │  └─ failed ◄┘         invalidated  (final)
 *      └──────────────────────► any of processed | failed | invalidated
 *
 * `failed` is not final: the shopper may try again on the same session [?]. Every confirmation that
 * names a known session is kept, with the status it was answered.
 */

import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Body, Confirmation, ConfirmationState, Invoice } from './checks.ts';

export type SessionState = 'created' | ConfirmationState;

/** One payment method as the hub answered it (checkoutUrl kept as given). */
export interface PaymentMethod {
  id: string;
  name: string;
  checkoutUrl: string;
  iconUrl?: string;
}

/** An HTTP call the simulator made (the hub's answer, or status null and why none came). */
export interface OutgoingCall {
  at: string;
  url: string;
  status: number | null;
  body: unknown;
  error?: string;
  /** How long the call took (wall clock). */
  ms?: number;
}

export interface RefundCall extends OutgoingCall {
  request: { paymentId: string; amount: number };
}

export interface ReceivedConfirmation {
  at: string;
  /** The status it was answered: 200 applied, 409 refused by the state machine. */
  status: number;
  /** The JSON body exactly as received. */
  body: Body;
}

export interface SimSession {
  id: string;
  mode: string;
  invoice: Invoice;
  createdAt: string;
  state: SessionState;
  customerId: string;
  paymentMethodsCall?: OutgoingCall;
  availablePaymentMethods: PaymentMethod[];
  confirmations: ReceivedConfirmation[];
  /** The processed confirmation's transactionId (null: processed without one). */
  transactionId?: string | null;
  /** Snipcart's own payment id, made when processed; the refund webhook's paymentId [?]. */
  paymentId?: string;
  /** The last links.refunds registered. */
  refundsUrl?: string;
  instructions?: string;
  lastError?: { code?: string; message?: string };
  refunds: RefundCall[];
}

export type ConfirmResult =
  | { status: 200; session: SimSession }
  | { status: 404 | 409; message: string; session?: SimSession };

const HOUR_MS = 3_600_000;
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class SnipcartState {
  readonly sessions = new Map<string, SimSession>();
  private readonly publicTokens = new Map<string, { sessionId: string; expiresAt: number }>();
  private readonly requestTokens = new Map<string, number>();
  private readonly tokenKey = randomBytes(32);

  constructor(
    private readonly now: () => Date,
    private readonly publicTokenTtlMs: number,
  ) {}

  createSession(invoice: Invoice, mode: string): SimSession {
    const session: SimSession = {
      id: randomUUID(),
      mode,
      invoice,
      createdAt: this.now().toISOString(),
      state: 'created',
      customerId: randomUUID(),
      availablePaymentMethods: [],
      confirmations: [],
      refunds: [],
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** A JWT-looking public token for the session (HS256 with a key of this run; its claims are [?]). */
  issuePublicToken(sessionId: string): string {
    const issuedAt = this.now().getTime();
    const expiresAt = issuedAt + this.publicTokenTtlMs;
    const header = base64url({ alg: 'HS256', typ: 'JWT' });
    const claims = base64url({
      jti: randomUUID(),
      iat: Math.floor(issuedAt / 1000),
      exp: Math.floor(expiresAt / 1000),
    });
    const signature = createHmac('sha256', this.tokenKey).update(`${header}.${claims}`).digest('base64url');
    const token = `${header}.${claims}.${signature}`;
    this.publicTokens.set(token, { sessionId, expiresAt });
    return token;
  }

  /** The session of an issued, unexpired public token. */
  sessionByToken(token: string | null): SimSession | undefined {
    const entry = token ? this.publicTokens.get(token) : undefined;
    if (!entry || this.now().getTime() >= entry.expiresAt) return undefined;
    return this.sessions.get(entry.sessionId);
  }

  /** The X-Snipcart-RequestToken of one outgoing call: a GUID, valid for an hour. */
  issueRequestToken(): string {
    const token = randomUUID();
    this.requestTokens.set(token, this.now().getTime());
    return token;
  }

  requestTokenValid(token: string): boolean {
    const issuedAt = this.requestTokens.get(token);
    return issuedAt !== undefined && this.now().getTime() - issuedAt < HOUR_MS;
  }

  /** Applies a confirmation, or refuses it (409) when the session's state does not allow it. */
  confirm(confirmation: Confirmation, body: Body): ConfirmResult {
    const session = this.sessions.get(confirmation.paymentSessionId);
    if (!session) return { status: 404, message: `no payment session ${confirmation.paymentSessionId}` };
    const refusal = this.refusal(session, confirmation);
    session.confirmations.push({ at: this.now().toISOString(), status: refusal ? 409 : 200, body });
    if (refusal) return { status: 409, message: refusal, session };

    if (confirmation.state === 'processed' && session.state !== 'processed') {
      session.transactionId = confirmation.transactionId ?? null;
      session.paymentId = randomUUID();
    }
    session.state = confirmation.state;
    if (confirmation.links?.refunds) session.refundsUrl = confirmation.links.refunds;
    if (confirmation.instructions !== undefined) session.instructions = confirmation.instructions;
    if (confirmation.error) session.lastError = confirmation.error;
    return { status: 200, session };
  }

  /**
   * Why the state machine refuses it, or undefined. After `processed`, only a `processed` with the
   * same transactionId (both absent counts as the same) is taken, as a re-post updating the links:
   * [?] a second `processed` with another transactionId is refused rather than taken as a second
   * payment or a silent replacement, so a hub confirming twice is seen.
   */
  private refusal(session: SimSession, confirmation: Confirmation): string | undefined {
    if (session.state === 'invalidated') return 'the payment session was invalidated';
    if (session.state !== 'processed') return undefined;
    if (confirmation.state !== 'processed')
      return `the payment session is already processed; ${confirmation.state} refused`;
    if ((confirmation.transactionId ?? null) !== session.transactionId)
      return `the payment session is already processed with transactionId ${String(session.transactionId)}`;
    return undefined;
  }
}
