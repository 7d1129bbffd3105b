/** Where per-user signals are read for a one-off check, from who runs it. */
import type { UserSessionSource } from '../../collectors/index.js';
import { currentUserName, isSystemAccount, type ProcessFacts } from '../../shared/app-dirs.js';

/**
 * Where `posture-agent check` reads the per-user signals: in this user's session, except as root
 * or SYSTEM, which have no desktop session of their own.
 */
export function cliUserSession(facts: Pick<ProcessFacts, 'platform' | 'env' | 'uid' | 'userName'>): UserSessionSource {
  if (!isSystemAccount(facts)) return { kind: 'this-process', user: facts.userName ?? currentUserName() ?? null };
  return {
    kind: 'none',
    reason: `No user session: \`posture-agent check\` runs as ${facts.platform === 'win32' ? 'SYSTEM' : 'root'}, which has no desktop session; run it as the user, or ask the running agent (\`posture-agent status\`).`,
  };
}
