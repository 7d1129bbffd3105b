/** The console's serve settings (sessions, OpenID Connect), checked at start like every other flag. */
import { readFile } from 'node:fs/promises';
import { AgentError, messageOf } from '../../shared/errors.js';
import type { OidcSettings } from './oidc-sign-in.js';

/** The OpenID Connect client secret itself comes only from the environment (a flag would show in the process list). */
export const OIDC_CLIENT_SECRET_ENV = 'POSTURE_SERVICE_OIDC_CLIENT_SECRET';

export interface ConsoleServeConfig {
  sessionLifetimeMs: number;
  sessionIdleMs: number;
  /** Null: sign-in with one-time links only. The secret is read at start (from the environment or the file). */
  oidc: (Omit<OidcSettings, 'clientSecret'> & { clientSecret?: string; clientSecretFile?: string }) | null;
}

export interface ConsoleFlagValues {
  consoleSessionLifetime: number;
  consoleSessionIdle: number;
  oidcIssuer?: string | undefined;
  oidcClientId?: string | undefined;
  oidcClientSecretFile?: string | undefined;
  oidcRoleClaim: string;
  oidcAdminValues?: string | undefined;
  oidcViewerValues?: string | undefined;
  oidcName?: string | undefined;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function list(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((item) => item !== '');
}

function invalid(message: string): AgentError {
  return new AgentError('ERR_CONFIG_INVALID', message);
}

export function consoleServeConfig(value: ConsoleFlagValues, env: Readonly<Record<string, string | undefined>>): ConsoleServeConfig {
  if (value.consoleSessionIdle > value.consoleSessionLifetime) {
    throw invalid('--console-session-idle / POSTURE_SERVICE_CONSOLE_SESSION_IDLE: expected at most --console-session-lifetime.');
  }
  const sessions = { sessionLifetimeMs: value.consoleSessionLifetime, sessionIdleMs: value.consoleSessionIdle };
  const secret = env[OIDC_CLIENT_SECRET_ENV];
  const given = [value.oidcIssuer, value.oidcClientId, value.oidcClientSecretFile, secret, value.oidcAdminValues, value.oidcViewerValues].some((item) => item !== undefined && item !== '');
  if (!given) return { ...sessions, oidc: null };
  if (value.oidcIssuer === undefined) throw invalid('--oidc-issuer / POSTURE_SERVICE_OIDC_ISSUER: expected the identity provider\'s issuer URL with the other --oidc-* settings.');
  const issuer = new URL(value.oidcIssuer);
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname))) {
    throw invalid(`--oidc-issuer / POSTURE_SERVICE_OIDC_ISSUER: expected an https URL (got ${JSON.stringify(value.oidcIssuer)}).`);
  }
  if (value.oidcClientId === undefined) throw invalid('--oidc-client-id / POSTURE_SERVICE_OIDC_CLIENT_ID: expected the client id registered at the identity provider.');
  if (secret === undefined && value.oidcClientSecretFile === undefined) {
    throw invalid(`--oidc-client-secret-file / POSTURE_SERVICE_OIDC_CLIENT_SECRET_FILE: expected a file with the client secret (or the secret in ${OIDC_CLIENT_SECRET_ENV}).`);
  }
  const adminValues = list(value.oidcAdminValues);
  const viewerValues = list(value.oidcViewerValues);
  if (adminValues.length === 0 && viewerValues.length === 0) {
    throw invalid(`--oidc-admin-values / POSTURE_SERVICE_OIDC_ADMIN_VALUES: expected the values of the "${value.oidcRoleClaim}" claim that make an administrator (and --oidc-viewer-values for viewers).`);
  }
  return {
    ...sessions,
    oidc: {
      issuer: value.oidcIssuer,
      clientId: value.oidcClientId,
      ...(secret !== undefined ? { clientSecret: secret } : { clientSecretFile: value.oidcClientSecretFile }),
      roleClaim: value.oidcRoleClaim,
      adminValues,
      viewerValues,
      displayName: value.oidcName ?? issuer.hostname,
    },
  };
}

/** Reads the client secret file at start; a missing or empty file stops the service with one line. */
export async function resolveOidcSettings(oidc: NonNullable<ConsoleServeConfig['oidc']>): Promise<OidcSettings> {
  const { clientSecretFile, clientSecret, ...rest } = oidc;
  if (clientSecret !== undefined) return { ...rest, clientSecret };
  let text: string;
  try {
    text = (await readFile(clientSecretFile ?? '', 'utf8')).trim();
  } catch (error) {
    throw invalid(`--oidc-client-secret-file: cannot read ${clientSecretFile ?? ''} (${messageOf(error)}).`);
  }
  if (text === '') throw invalid(`--oidc-client-secret-file: ${clientSecretFile ?? ''} is empty.`);
  return { ...rest, clientSecret: text };
}
