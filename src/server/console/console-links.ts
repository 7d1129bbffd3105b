/**
 * One-time sign-in links (`posture-service console-link`), for a first start without an identity
 * provider: the token is stored hashed, works once (a single conditional UPDATE, so two
 * instances racing on the same link cannot both win) and expires.
 */
import { hashSecret, newSecret } from '../secrets.js';
import type { Actor } from '../device-directory.js';
import type { ConsoleLinkUse, ConsoleRole } from '../store/console-records.js';
import type { Store } from '../store/store.js';

export const CONSOLE_LINK_PREFIX = 'pcl_';
export const DEFAULT_LINK_LIFETIME_MS = 15 * 60_000;

export interface NewConsoleLink {
  role: ConsoleRole;
  lifetimeMs: number;
  name: string | null;
}

export function consoleLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/console/link/${token}`;
}

/** Makes a link and writes it to the audit log; returns the URL, which holds the only copy of the token. */
export async function createConsoleLink(store: Store, link: NewConsoleLink, publicUrl: string, by: Actor, now: Date): Promise<string> {
  const secret = newSecret(CONSOLE_LINK_PREFIX);
  const expiresAt = new Date(now.getTime() + link.lifetimeMs);
  await store.createConsoleLink({ id: secret.id, tokenHash: secret.hash, role: link.role, name: link.name, createdAt: now, expiresAt, usedAt: null });
  await store.appendAudit({
    at: now, actor: by.actor, source: by.source, action: 'console.link-create', deviceId: null,
    detail: { link: secret.id, role: link.role, name: link.name, expiresAt: expiresAt.toISOString() },
  });
  return consoleLinkUrl(publicUrl, secret.secret);
}

export function useConsoleLink(store: Store, token: string, now: Date): Promise<ConsoleLinkUse> {
  if (!token.startsWith(CONSOLE_LINK_PREFIX) || token.length > 200) return Promise.resolve({ outcome: 'unknown' });
  return store.useConsoleLink(hashSecret(token), now);
}
