/**
 * CrowdStrike Falcon. It has no local definitions file: its detection content arrives over the cloud
 * connection, so it counts as up to date while `State: connected`. `falconctl stats` needs root.
 */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { parseFalconctlStats } from '../antivirus/parse-falconctl-stats.js';
import { commandText } from './command-text.js';
import type { EdrAgent } from './edr-agent.js';

export const FALCON_PRODUCT = 'CrowdStrike Falcon';

export const FALCON_AGENT: EdrAgent = {
  name: FALCON_PRODUCT,
  installPaths: ['/Applications/Falcon.app', '/Library/CS/falconctl'],
  command: `${DARWIN_COMMANDS.falconctl} stats`,
  accessHint: 'falconctl stats needs root: run the agent as root (its launchd daemon) to read the sensor state.',
  read: async (host) => {
    const stats = parseFalconctlStats(commandText(await host.run(DARWIN_COMMANDS.falconctl, ['stats'])));
    return {
      name: FALCON_PRODUCT,
      enabled: stats.sensorOperational ?? true,
      realTime: stats.sensorOperational,
      upToDate: stats.cloudState === null ? null : stats.cloudState.toLowerCase() === 'connected',
      definitionsUpdatedAt: null,
      version: stats.version,
      state: stats.cloudState === null || stats.cloudState.toLowerCase() === 'connected' ? null : `cloud ${stats.cloudState}`,
    };
  },
};
