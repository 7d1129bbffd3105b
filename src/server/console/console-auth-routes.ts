/**
 * The console's sign-in routes: GET /console/session, GET /console/sign-in, GET /console/link/:token,
 * POST /console/sign-out, and (with an identity provider) GET /console/oidc/start and /console/oidc/callback.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AgentError } from '../../shared/errors.js';
import type { Store } from '../store/store.js';
import type { ConsoleAuth } from './console-auth.js';
import { useConsoleLink } from './console-links.js';
import { renderSignInPage, sendPage, sendProblem } from './console-pages.js';
import type { OidcSignIn } from './oidc-sign-in.js';

export interface ConsoleAuthRouteDeps {
  auth: ConsoleAuth;
  store: Store;
  clock: () => Date;
  /** Null when no OpenID Connect provider is configured. */
  oidc: OidcSignIn | null;
  limitSignIn: (request: FastifyRequest) => void;
}

const LINK_PROBLEMS = {
  'already-used': ['This sign-in link has been used', 'A sign-in link works once. Ask an administrator for a new one (posture-service console-link).'],
  expired: ['This sign-in link has expired', 'Ask an administrator for a new one (posture-service console-link); links are valid for 15 minutes unless made with --expires.'],
  unknown: ['This sign-in link is not valid', 'Check that the whole link was copied, or ask an administrator for a new one (posture-service console-link).'],
} as const;

export function registerConsoleAuthRoutes(app: FastifyInstance, deps: ConsoleAuthRouteDeps): void {
  const { auth } = deps;

  app.get('/console/session', async (request, reply) => {
    const session = await auth.session(request);
    if (session === null) throw new AgentError('ERR_UNAUTHORIZED', 'Not signed in to the console: sign in at /console/sign-in.');
    reply.header('cache-control', 'no-store');
    return {
      subject: session.subject, name: session.name, email: session.email, role: session.role,
      csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString(),
    };
  });

  app.get('/console/sign-in', async (_request, reply) => sendPage(reply, 200, renderSignInPage(deps.oidc?.displayName ?? null)));

  app.get<{ Params: { token: string } }>('/console/link/:token', async (request, reply) => {
    deps.limitSignIn(request);
    const use = await useConsoleLink(deps.store, request.params.token, deps.clock());
    if (use.outcome !== 'used-now') {
      // Only real links: anyone can send made-up tokens, and they must not fill the audit log.
      if (use.outcome !== 'unknown') await auth.audit('console.sign-in-refused', { actor: 'console:link', source: request.ip }, { method: 'link', reason: use.outcome });
      const [heading, advice] = LINK_PROBLEMS[use.outcome];
      return sendProblem(reply, 'ERR_CONSOLE_LINK', heading, advice);
    }
    const { link } = use;
    await auth.signIn(request, reply, { subject: `link:${link.id}`, name: link.name, email: null, role: link.role }, { method: 'link', link: link.id });
    return reply.code(303).header('location', '/console/').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send();
  });

  app.post('/console/sign-out', async (request, reply) => {
    const session = await auth.session(request);
    if (session === null) throw new AgentError('ERR_UNAUTHORIZED', 'Not signed in to the console.');
    auth.checkChange(request, session);
    await auth.signOut(request, reply, session);
    return reply.code(204).send();
  });

  // Registered either way, so the URL space does not depend on the configuration.
  const oidc = deps.oidc;
  const notConfigured = (reply: FastifyReply) =>
    sendProblem(reply, 'ERR_CONSOLE_SIGN_IN', 'No identity provider is configured', 'This service signs in with one-time links only: ask an administrator for one (posture-service console-link).');
  app.get('/console/oidc/start', async (request, reply) => {
    deps.limitSignIn(request);
    return oidc === null ? notConfigured(reply) : oidc.start(request, reply);
  });
  app.get('/console/oidc/callback', async (request, reply) => {
    deps.limitSignIn(request);
    return oidc === null ? notConfigured(reply) : oidc.callback(request, reply);
  });
}
