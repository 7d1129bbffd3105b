/**
 * The agent's configuration: keys, their validation, and how layers combine. A layer comes from
 * one place (a file, the registry, a plist, the environment, the command line); a bad value is
 * refused with the place and the key named. Managed layers (written by MDM) win over the user's.
 */
import { z } from 'zod';
import { AgentError } from '../../shared/errors.js';
import { formatPath } from '../../policy/parse-policy.js';
import { LOOPBACK_HOSTS, type LoopbackHost } from '../../api/local-api-types.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AgentConfig {
  serviceUrl: string | null;
  /** Used once, to enrol; never written anywhere by the agent. */
  enrollmentToken: string | null;
  checkIntervalSeconds: number;
  /** The `aud` the agent expects in its Results (it verifies each against the service's JWKS). */
  resultAudience: string;
  logLevel: LogLevel;
  localApiHost: LoopbackHost;
  /** 0: any free port (the daemon writes the one it got to local-api.json). */
  localApiPort: number;
  retryInitialSeconds: number;
  retryMaxSeconds: number;
  /** The daemon keeps a device certificate (issue 9): obtains, renews, installs it in this user's stores. */
  deviceCertificate: boolean;
  /** Gateway URLs the certificate is preselected for (macOS identity preference). */
  certificateUrls: string[];
}

export const DEFAULT_CONFIG: AgentConfig = {
  serviceUrl: null,
  enrollmentToken: null,
  checkIntervalSeconds: 300,
  resultAudience: 'posture-gateway',
  logLevel: 'info',
  localApiHost: '127.0.0.1',
  localApiPort: 0,
  retryInitialSeconds: 5,
  retryMaxSeconds: 300,
  deviceCertificate: false,
  certificateUrls: [],
};

const seconds = (max: number) => z.number().int().min(1).max(max);

/** Keys whose values are secrets: a message names the key and the place, never the value. */
const SECRET_KEYS: ReadonlySet<string> = new Set(['enrollmentToken']);

/** A URL as typed, for messages: credentials masked (`https://***@host`), query and fragment left out. */
export function redactUrlText(text: string): string {
  const masked = text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, (_match, scheme: string | undefined) => `${scheme ?? ''}***@`);
  const cut = /^[a-z][a-z0-9+.-]*:\/\//i.test(masked) ? masked.search(/[?#]/) : -1;
  return cut === -1 ? masked : `${masked.slice(0, cut)}?…`;
}

function hasNoExtras(text: string): boolean {
  try {
    const url = new URL(text);
    return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

const layerSchema = z.strictObject({
  serviceUrl: z
    .url({ protocol: /^https?$/, error: 'expected the policy service URL, e.g. https://posture.example.com' })
    .refine(hasNoExtras, 'expected the policy service URL without credentials, query or fragment')
    .optional(),
  enrollmentToken: z.string().min(8, 'expected an enrolment token').max(512).optional(),
  checkIntervalSeconds: seconds(86_400).optional(),
  resultAudience: z.string().min(1).max(256).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  localApiHost: z.enum(LOOPBACK_HOSTS, { error: 'the local API listens on a loopback address only: 127.0.0.1 or ::1' }).optional(),
  localApiPort: z.number().int().min(0).max(65_535).optional(),
  retryInitialSeconds: seconds(3_600).optional(),
  retryMaxSeconds: seconds(86_400).optional(),
  deviceCertificate: z.boolean().optional(),
  certificateUrls: z.array(z.url({ protocol: /^https$/, error: 'expected https URLs of the gateways, e.g. https://app.example.com' })).max(32).optional(),
});

export type ConfigLayer = z.infer<typeof layerSchema>;
export const CONFIG_KEYS = Object.keys(layerSchema.shape) as (keyof ConfigLayer)[];

export interface ConfigSource {
  /** Where the values came from, for messages: a path, a registry key, "environment", "command line". */
  name: string;
  /** Written by the organisation's device management: wins over the user's layers. */
  managed: boolean;
  values: Record<string, unknown>;
}

/** Validates one layer; the error names the place and the key. */
export function parseLayer(source: ConfigSource): ConfigLayer {
  const parsed = layerSchema.safeParse(source.values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = formatPath(issue.path);
  const name = issue.path.length > 0 ? String(issue.path[0]) : '';
  const got = name === '' || SECRET_KEYS.has(name) ? undefined : source.values[name];
  const shown = got === undefined ? '' : ` (got ${JSON.stringify(typeof got === 'string' ? redactUrlText(got) : got)})`;
  throw new AgentError('ERR_CONFIG_INVALID', `${source.name}: ${key}: ${issue.message}${shown}.`);
}

/** Later layers win; managed layers win over every unmanaged one. */
export function mergeConfig(sources: readonly ConfigSource[]): AgentConfig {
  const ordered = [...sources.filter((source) => !source.managed), ...sources.filter((source) => source.managed)];
  const merged: AgentConfig = { ...DEFAULT_CONFIG };
  for (const source of ordered) {
    const layer = parseLayer(source);
    for (const key of CONFIG_KEYS) {
      const value = layer[key];
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
    }
  }
  if (merged.retryMaxSeconds < merged.retryInitialSeconds) {
    throw new AgentError('ERR_CONFIG_INVALID', `retryMaxSeconds (${merged.retryMaxSeconds}) is smaller than retryInitialSeconds (${merged.retryInitialSeconds}).`);
  }
  return { ...merged, serviceUrl: merged.serviceUrl?.replace(/\/+$/, '') ?? null };
}
