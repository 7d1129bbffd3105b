/**
 * `/opt/sentinelone/bin/sentinelctl control status` (SentinelOne Linux agent, root only): an
 * `Agent state` line whose value is separated by two or more spaces (`Agent state      Enabled`),
 * then a `Process Name  PID` table of the agent's processes (orchestrator, network, scanner,
 * agent, firewall). Format from the GLPI agent's SentinelOne fixture (glpi-project/glpi-agent
 * resources/linux/antivirus/sentinelone-30.1.1.10) and its parser, which splits on `: ` or two
 * spaces.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface SentinelctlControlStatus {
  /** The value as printed: `Enabled`, `Disabled`, ... */
  agentState: string;
  enabled: boolean | null;
  /** Process names from the table (`agent`, `scanner`, ...). */
  processes: string[];
}

const ACCESS_DENIED = /must be run as root|permission denied|operation not permitted|requires root|root privileges/i;
const KEY_VALUE = /^(.+?)(?::\s+|\s{2,})(\S.*)$/;

export function parseSentinelctlControlStatus(text: string): SentinelctlControlStatus {
  const content = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'sentinelctl control status printed nothing.');
  if (ACCESS_DENIED.test(text)) throw new AgentError('ERR_ACCESS_DENIED', `sentinelctl refused: ${content[0]!}`);
  let agentState: string | null = null;
  const processes: string[] = [];
  let inTable = false;
  for (const line of content) {
    const pair = KEY_VALUE.exec(line);
    if (/^Process Name\s+PID$/i.test(line)) inTable = true;
    else if (pair?.[1] === 'Agent state') agentState = pair[2]!.trim();
    else if (inTable && /^\S+\s+\d+$/.test(line)) processes.push(line.split(/\s+/)[0]!);
    else if (inTable && !/^-+$/.test(line)) inTable = false;
  }
  if (agentState === null) throw new AgentError('ERR_PARSE', `sentinelctl control status printed no "Agent state" line (first line: "${content[0]!}").`);
  const word = agentState.split(/\s/)[0]!.toLowerCase();
  return { agentState, enabled: word === 'enabled' ? true : word === 'disabled' ? false : null, processes };
}
