/**
 * Sign-in with the company's OpenID Connect provider (openid-client): authorization code with
 * PKCE (S256), state and nonce. What the callback needs is kept in a database row named by the
 * hash of a random value in a short-lived pre-auth cookie, so the callback works on any instance,
 * once, and only in the browser that started it. The role comes from a configured claim.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { AgentError, messageOf } from '../../shared/errors.js';
import { hashSecret } from '../secrets.js';
import type { ConsoleRole } from '../store/console-records.js';
import type { Store } from '../store/store.js';
import { consoleActor, type ConsoleAuth } from './console-auth.js';
import { sendProblem } from './console-pages.js';
import { cookieName, readCookie, setCookie } from './cookies.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claim that holds the user's roles or groups (a string or an array of strings). */
  roleClaim: string;
  adminValues: readonly string[];
  viewerValues: readonly string[];
  /** The provider's name on the sign-in button. */
  displayName: string;
}

export interface OidcSignInOptions {
  settings: OidcSettings;
  auth: ConsoleAuth;
  store: Store;
  clock: () => Date;
  log: (error: unknown, message: string) => void;
}

const FLOW_LIFETIME_MS = 10 * 60_000;
const SCOPES = 'openid email profile';
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The role these claim values give, or null when they give none. */
export function roleFromClaim(value: unknown, settings: Pick<OidcSettings, 'adminValues' | 'viewerValues'>): ConsoleRole | null {
  const values = typeof value === 'string' ? value.split(/[\s,]+/) : Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  if (values.some((item) => settings.adminValues.includes(item))) return 'admin';
  if (values.some((item) => settings.viewerValues.includes(item))) return 'viewer';
  return null;
}

function stringClaim(claims: Record<string, unknown>, name: string): string | null {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

export class OidcSignIn {
  readonly displayName: string;
  readonly #options: OidcSignInOptions;
  readonly #redirectUri: string;
  readonly #flowCookie: string;
  #configuration: Promise<client.Configuration> | undefined;

  constructor(options: OidcSignInOptions) {
    this.#options = options;
    this.displayName = options.settings.displayName;
    this.#redirectUri = `${options.auth.publicUrl}/console/oidc/callback`;
    this.#flowCookie = cookieName('posture_oidc', options.auth.secure);
  }

  get redirectUri(): string {
    return this.#redirectUri;
  }

  async start(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    let configuration: client.Configuration;
    try {
      configuration = await this.#discover();
    } catch (error) {
      request.log.warn({ issuer: this.#options.settings.issuer, message: messageOf(error) }, 'could not reach the OpenID Connect provider');
      return sendProblem(reply, 'ERR_CONSOLE_SIGN_IN', `${this.displayName} cannot be reached`, 'The service could not read the identity provider\'s configuration. Try again in a minute; if it persists, an administrator should check --oidc-issuer and the service log.');
    }
    const flowId = randomBytes(32).toString('base64url');
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await this.#options.store.createOidcFlow({
      idHash: hashSecret(flowId), state, nonce, codeVerifier, expiresAt: new Date(this.#options.clock().getTime() + FLOW_LIFETIME_MS),
    });
    const target = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.#redirectUri,
      scope: SCOPES,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    // Lax: the callback is a top-level navigation from the provider's site, which a Strict cookie would miss.
    reply.header('set-cookie', setCookie(this.#flowCookie, flowId, { secure: this.#options.auth.secure, sameSite: 'Lax', maxAgeSeconds: FLOW_LIFETIME_MS / 1000 }));
    return reply.code(303).header('location', target.href).header('cache-control', 'no-store').send();
  }

  async callback(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { auth, store, clock, settings } = this.#options;
    reply.header('set-cookie', setCookie(this.#flowCookie, '', { secure: auth.secure, sameSite: 'Lax', maxAgeSeconds: 0 }));
    const flowId = readCookie(request.headers.cookie, this.#flowCookie);
    const flow = flowId === null ? null : await store.takeOidcFlow(hashSecret(flowId), clock());
    const refuse = async (reason: string, heading: string, advice: string, actor = 'console:oidc') => {
      await auth.audit('console.sign-in-refused', { actor, source: request.ip }, { method: 'oidc', reason });
      return sendProblem(reply, 'ERR_CONSOLE_SIGN_IN', heading, advice);
    };
    // Not audited: without a sign-in in progress anyone could fill the audit log.
    if (flow === null) {
      return sendProblem(reply, 'ERR_CONSOLE_SIGN_IN', 'The sign-in could not be completed', 'It took longer than 10 minutes, was finished already, or was started in another browser. Start again from the sign-in page.');
    }
    let claims: Record<string, unknown>;
    try {
      const configuration = await this.#discover();
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const tokens = await client.authorizationCodeGrant(configuration, new URL(`${this.#redirectUri}${query}`), {
        pkceCodeVerifier: flow.codeVerifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true,
      });
      claims = { ...(tokens.claims() ?? {}) };
      if (claims[settings.roleClaim] === undefined || claims['email'] === undefined) {
        const userInfo = await client.fetchUserInfo(configuration, tokens.access_token, String(claims['sub']));
        claims = { ...userInfo, ...claims, [settings.roleClaim]: claims[settings.roleClaim] ?? userInfo[settings.roleClaim] };
      }
    } catch (error) {
      this.#options.log(error, 'OpenID Connect sign-in failed');
      return refuse('provider-refused', 'The sign-in could not be completed', `${this.displayName} did not confirm the sign-in (${messageOf(error)}). Start again from the sign-in page.`);
    }
    const subject = stringClaim(claims, 'sub');
    if (subject === null) throw new AgentError('ERR_CONSOLE_SIGN_IN', 'The identity provider returned no subject.');
    const identity = { subject, name: stringClaim(claims, 'name'), email: stringClaim(claims, 'email') };
    const role = roleFromClaim(claims[settings.roleClaim], settings);
    if (role === null) {
      return refuse('no-role', 'You have no access to the posture console',
        `Your account at ${this.displayName} is in neither the administrators' nor the viewers' group of the posture console. Ask IT to add you to one.`, consoleActor(identity));
    }
    await auth.signIn(request, reply, { ...identity, role }, { method: 'oidc' });
    return reply.code(303).header('location', '/console/').header('cache-control', 'no-store').send();
  }

  #discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.#options.settings;
    const url = new URL(issuer);
    const insecure = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- plain http only for an identity provider on this machine (loopback)
    this.#configuration ??= client.discovery(url, clientId, clientSecret, client.ClientSecretBasic(clientSecret), insecure ? { execute: [client.allowInsecureRequests] } : {});
    // A failed discovery is tried again on the next sign-in.
    this.#configuration.catch(() => {
      this.#configuration = undefined;
    });
    return this.#configuration;
  }
}
