/** The console's sign-in and credential management, put together for the HTTP app. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../device-directory.js';
import type { ApiKeyRole, Store } from '../store/store.js';
import { AdminCredentials } from './admin-credentials.js';
import { ConsoleAuth } from './console-auth.js';
import { registerConsoleAuthRoutes } from './console-auth-routes.js';
import { ConsoleSessions, DEFAULT_SESSION_IDLE_MS, DEFAULT_SESSION_LIFETIME_MS } from './console-sessions.js';
import { registerCredentialRoutes } from './credential-routes.js';
import { OidcSignIn, type OidcSettings } from './oidc-sign-in.js';

export interface ConsoleConfig {
  sessionLifetimeMs: number;
  sessionIdleMs: number;
  /** Null: no identity provider; sign in with one-time links only. */
  oidc: OidcSettings | null;
}

export const DEFAULT_CONSOLE_CONFIG: ConsoleConfig = { sessionLifetimeMs: DEFAULT_SESSION_LIFETIME_MS, sessionIdleMs: DEFAULT_SESSION_IDLE_MS, oidc: null };

export interface ConsoleSetup {
  auth: ConsoleAuth;
  oidc: OidcSignIn | null;
  credentials: AdminCredentials;
  store: Store;
  clock: () => Date;
}

export interface ConsoleSetupOptions {
  store: Store;
  publicUrl: string;
  clock: () => Date;
  config: ConsoleConfig;
  /** Where a failed OpenID Connect exchange is logged (never with secrets). */
  log: (error: unknown, message: string) => void;
}

export function createConsoleSetup(options: ConsoleSetupOptions): ConsoleSetup {
  const { store, clock, config } = options;
  const sessions = new ConsoleSessions(store, { lifetimeMs: config.sessionLifetimeMs, idleMs: config.sessionIdleMs, clock });
  const auth = new ConsoleAuth({ store, sessions, publicUrl: options.publicUrl, clock });
  const oidc = config.oidc === null ? null : new OidcSignIn({ settings: config.oidc, auth, store, clock, log: options.log });
  return { auth, oidc, credentials: new AdminCredentials(store, clock), store, clock };
}

export interface ConsoleRouteHooks {
  requireRole: (request: FastifyRequest, roles: readonly ApiKeyRole[]) => Promise<Actor>;
  onApiKeyRevoked: () => void;
  /** Throws ERR_RATE_LIMITED when the address has made too many sign-in requests (they cost database work before anyone is known). */
  limitSignIn: (request: FastifyRequest) => void;
}

export function registerConsole(app: FastifyInstance, setup: ConsoleSetup, hooks: ConsoleRouteHooks): void {
  registerConsoleAuthRoutes(app, { auth: setup.auth, store: setup.store, clock: setup.clock, oidc: setup.oidc, limitSignIn: hooks.limitSignIn });
  registerCredentialRoutes(app, { credentials: setup.credentials, requireRole: hooks.requireRole, onApiKeyRevoked: hooks.onApiKeyRevoked });
}
