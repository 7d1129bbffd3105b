/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1 for console sign-in tests, and a
 * browser-like walk through its login and consent forms.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { CookieJar, request, type ConsoleResponse } from './console-client.js';

export const TEST_OIDC_CLIENT_ID = 'posture-console';
export const TEST_OIDC_CLIENT_SECRET = 'console-client-secret-0123456789abcdef';

export type TestAccounts = Record<string, { email: string; name: string; roles: string[] }>;

export interface TestOidcProvider {
  issuer: string;
  /** Starts answering, with the console client registered for this redirect URI. */
  register(redirectUri: string): void;
  close(): void;
}

/** Listens at once (the issuer URL is known before the service starts); answers once `register` is called. */
export async function startOidcProvider(accounts: TestAccounts): Promise<TestOidcProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [{
          client_id: TEST_OIDC_CLIENT_ID, client_secret: TEST_OIDC_CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic',
          redirect_uris: [redirectUri], response_types: ['code'], grant_types: ['authorization_code'],
        }],
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'roles'] },
        findAccount: (_context, id) => ({ accountId: id, claims: () => ({ sub: id, ...accounts[id] }) }),
        cookies: { keys: ['test-cookie-key-0123456789'] },
        ttl: { Session: 3_600, Grant: 3_600, AccessToken: 600, IdToken: 600, Interaction: 600, AuthorizationCode: 60 },
      });
      server.on('request', provider.callback());
    },
    close: () => void server.close(),
  };
}

/** The provider's login and consent forms, filled in as `login` would. */
async function completeInteraction(page: ConsoleResponse, base: string, jar: CookieJar, login: string): Promise<ConsoleResponse> {
  const action = /<form[^>]*action="([^"]+)"/.exec(page.text)?.[1];
  const prompt = /name="prompt" value="([^"]+)"/.exec(page.text)?.[1];
  if (action === undefined || prompt === undefined) throw new Error(`Not a provider form: ${page.text.slice(0, 200)}`);
  const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
  const response = await fetch(new URL(action, base), {
    method: 'POST', redirect: 'manual', body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() ?? '' },
  });
  jar.take(response);
  return { status: response.status, headers: response.headers, text: await response.text(), json: null };
}

/**
 * From the redirect to the provider (`authorizeUrl`) to the URL the provider sends the browser
 * back to (the service's callback with code and state), signing in as `login`.
 */
export async function walkProvider(authorizeUrl: string, serviceOrigin: string, login: string): Promise<string> {
  const jar = new CookieJar();
  let location = authorizeUrl;
  for (let step = 0; step < 12; step += 1) {
    const url = new URL(location, authorizeUrl);
    if (url.origin === serviceOrigin) return url.href;
    let response = await request(url.href, { jar });
    if (response.status === 200) response = await completeInteraction(response, url.href, jar, login);
    location = response.headers.get('location') ?? '';
    if (location === '') throw new Error(`The provider stopped at ${response.status}: ${response.text.slice(0, 300)}`);
  }
  throw new Error('Too many redirects at the provider');
}
