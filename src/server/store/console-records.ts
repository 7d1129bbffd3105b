/**
 * What the store keeps for the console's sign-in (sessions, one-time links, OpenID Connect sign-ins
 * in progress) and for managing enrolment tokens and API keys. Secrets are never stored: only
 * their SHA-256 (hashSecret).
 */
import type { EnrollmentTokenRecord } from './store.js';

export type ConsoleRole = 'admin' | 'viewer';
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['admin', 'viewer'];

export interface ConsoleSessionRecord {
  /** SHA-256 of the session id in the cookie. */
  idHash: string;
  /** Who signed in: the identity provider's `sub`, or `link:<id>` for a one-time link. */
  subject: string;
  name: string | null;
  email: string | null;
  role: ConsoleRole;
  createdAt: Date;
  lastUsedAt: Date;
  /** The absolute expiry; the idle expiry follows from lastUsedAt. */
  expiresAt: Date;
  /** The client address that signed in. */
  source: string | null;
}

export interface ConsoleLinkRecord {
  id: string;
  tokenHash: string;
  role: ConsoleRole;
  name: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/** Using a link: it worked (and is spent now), or why not. */
export type ConsoleLinkUse =
  | { outcome: 'used-now'; link: ConsoleLinkRecord }
  | { outcome: 'already-used' | 'expired' | 'unknown' };

/** An OpenID Connect sign-in between the redirect to the identity provider and its callback. */
export interface OidcFlowRecord {
  /** SHA-256 of the random value in the browser's pre-auth cookie. */
  idHash: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  expiresAt: Date;
}

export interface EnrollmentTokenState extends EnrollmentTokenRecord {
  revokedAt: Date | null;
}
