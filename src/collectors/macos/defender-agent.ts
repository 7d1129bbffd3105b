/** Microsoft Defender for Endpoint: `mdatp health`, the same format on macOS as on Linux. */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { MDATP_PRODUCT_NAME, mdatpProduct, parseMdatpHealth } from '../antivirus/parse-mdatp-health.js';
import { commandText } from './command-text.js';
import type { EdrAgent } from './edr-agent.js';

export const DEFENDER_AGENT: EdrAgent = {
  name: MDATP_PRODUCT_NAME,
  /** The app was named "Microsoft Defender ATP" before 2020. */
  installPaths: ['/Applications/Microsoft Defender.app', '/Applications/Microsoft Defender ATP.app'],
  command: `${DARWIN_COMMANDS.mdatp} health`,
  read: async (host, now) => mdatpProduct(parseMdatpHealth(commandText(await host.run(DARWIN_COMMANDS.mdatp, ['health']))), now),
};
