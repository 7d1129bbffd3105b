/**
 * The events file (--events / POSTURE_SERVICE_EVENTS, YAML or JSON): where device state changes go.
 * Every instance sharing a database reads the same file. Secrets come only from the files it names.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AgentError, messageOf } from '../../shared/errors.js';
import { readTextFile } from '../../shared/text-file.js';

export interface WebhookDestination {
  kind: 'webhook';
  /** Names the destination in the delivery log: `name` from the file, else `webhook <origin> <hash>` (never a secret). */
  key: string;
  url: string;
  /** The HMAC key (the bytes after `whsec_`). */
  secret: Buffer;
}

export interface SsfReceiver {
  kind: 'ssf';
  key: string;
  url: string;
  audience: string;
  /** The whole Authorization header value, when the receiver wants one. */
  authorization: string | null;
}

export type EventDestination = WebhookDestination | SsfReceiver;

export interface EventsConfig {
  destinations: EventDestination[];
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const name = z.string().regex(/^[\w .:/@-]{1,100}$/, 'expected a short name (letters, digits, spaces, . : / @ _ -)').optional();
const schema = z.strictObject({
  webhooks: z.array(z.strictObject({ url: httpUrl, secretFile: z.string().min(1), name })).max(50).default([]),
  ssfReceivers: z.array(z.strictObject({
    url: httpUrl, audience: z.string().min(1).max(500), authorizationFile: z.string().min(1).optional(), name,
  })).max(50).default([]),
});

function invalid(path: string, why: string): AgentError {
  return new AgentError('ERR_EVENTS_CONFIG', `Events file ${path}: ${why}. Fix the file (see docs/events.md) and start the service again.`);
}

/** A name for a destination without one: the URL's origin and a short hash of what identifies it (a URL's path or query may be a token). */
function defaultKey(kind: string, url: string, audience = ''): string {
  return `${kind} ${new URL(url).origin} ${createHash('sha256').update(`${url}\n${audience}`).digest('hex').slice(0, 8)}`;
}

async function secretText(path: string, file: string, what: string): Promise<string> {
  try {
    return (await readTextFile(file, what, 64 * 1024)).trim();
  } catch (error) {
    throw invalid(path, messageOf(error).replace(/\.$/, ''));
  }
}

function webhookSecret(text: string, path: string, file: string): Buffer {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(text);
  const bytes = match === null ? null : Buffer.from(match[1]!, 'base64');
  if (bytes === null || bytes.length < 24 || bytes.length > 64) {
    throw invalid(path, `the webhook secret in ${file} must be whsec_ followed by 24 to 64 random bytes in base64 (e.g. "whsec_$(openssl rand -base64 32)")`);
  }
  return bytes;
}

/** Parses and checks the events file's text; reads the secret files it names. */
export async function parseEventsConfig(text: string, path: string): Promise<EventsConfig> {
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw invalid(path, `not valid YAML or JSON (${messageOf(error).split('\n')[0]})`);
  }
  const parsed = schema.safeParse(document ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(path, `${issue.path.join('.') || 'top level'}: ${issue.message}`);
  }
  const destinations: EventDestination[] = [];
  for (const webhook of parsed.data.webhooks) {
    const secret = webhookSecret(await secretText(path, webhook.secretFile, 'webhook secret file'), path, webhook.secretFile);
    destinations.push({ kind: 'webhook', key: webhook.name ?? defaultKey('webhook', webhook.url), url: webhook.url, secret });
  }
  for (const receiver of parsed.data.ssfReceivers) {
    const authorization = receiver.authorizationFile === undefined ? null : await secretText(path, receiver.authorizationFile, 'SSF authorization file');
    if (authorization !== null && !/^[\x21-\x7e][\x20-\x7e]*$/.test(authorization)) {
      throw invalid(path, `${receiver.authorizationFile} must hold one line: the Authorization header value, e.g. "Bearer <token>"`);
    }
    destinations.push({ kind: 'ssf', key: receiver.name ?? defaultKey('ssf', receiver.url, receiver.audience), url: receiver.url, audience: receiver.audience, authorization });
  }
  const keys = destinations.map((destination) => destination.key);
  const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
  if (repeated !== undefined) throw invalid(path, `two destinations are both "${repeated}": give each a distinct name`);
  return { destinations };
}

/** The events file at `path`; no destinations without one. */
export async function loadEventsConfig(path: string | undefined): Promise<EventsConfig> {
  if (path === undefined) return { destinations: [] };
  let text: string;
  try {
    text = await readTextFile(path, 'events file');
  } catch (error) {
    throw new AgentError('ERR_EVENTS_CONFIG', `${messageOf(error).replace(/\.$/, '')}. Give --events (POSTURE_SERVICE_EVENTS) a readable file.`, { cause: error });
  }
  return parseEventsConfig(text, path);
}
