/**
 * SentinelOne. Up to date when its static signatures were applied within the last 30 days; when
 * `sentinelctl status` shows no such date, while it is connected to its management console.
 */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { parseSentinelctlStatus, type SentinelOneStatus } from '../antivirus/parse-sentinelctl-status.js';
import { commandText } from './command-text.js';
import { isWithinMaxAge } from './definitions-age.js';
import type { EdrAgent } from './edr-agent.js';

export const SENTINELONE_PRODUCT = 'SentinelOne';

function describe(status: SentinelOneStatus): string | null {
  const notes = [
    status.infected === true ? 'infected' : null,
    status.networkQuarantine === true ? 'network quarantine' : null,
    status.ready === false ? 'not ready' : null,
    status.connected === false ? 'not connected to its management console' : null,
  ].filter((note): note is string => note !== null);
  return notes.length > 0 ? notes.join(', ') : null;
}

export const SENTINELONE_AGENT: EdrAgent = {
  name: SENTINELONE_PRODUCT,
  installPaths: ['/Library/Sentinel/sentinel-agent.bundle'],
  command: `${DARWIN_COMMANDS.sentinelctl} status`,
  accessHint: 'Run the agent as root (its launchd daemon) to read the SentinelOne agent state.',
  read: async (host, now) => {
    const status = parseSentinelctlStatus(commandText(await host.run(DARWIN_COMMANDS.sentinelctl, ['status'])));
    return {
      name: SENTINELONE_PRODUCT,
      enabled: status.operational ?? true,
      realTime: status.protection,
      upToDate: status.signaturesAppliedAt === null ? status.connected : isWithinMaxAge(status.signaturesAppliedAt, now),
      definitionsUpdatedAt: status.signaturesAppliedAt,
      version: status.version,
      state: describe(status),
    };
  },
};
