/**
 * CrowdStrike Falcon for macOS: `/Applications/Falcon.app/Contents/Resources/falconctl stats` prints
 * sections headed `=== agent_info ===`, `=== CloudInfo ===`, ... with `Key: value` lines, among them
 * `version: 7.39.21104.0`, `Sensor operational: true` and the cloud connection's
 * `State: connected` (Jamf extension attributes cainehorr/Jamf_Extension_Attributes
 * CrowdStrike_Falcon_*.sh; glpi-agent MacOS/AntiVirus/CrowdStrike.pm). It needs root; a refusal
 * is ERR_ACCESS_DENIED.
 */
import { AgentError } from '../../shared/errors.js';
import { unreadableOutput } from '../macos/privilege-refusal.js';
import { lines, parseBooleanWord, splitKeyValue } from '../parse-text.js';

export interface FalconStats {
  version: string | null;
  sensorOperational: boolean | null;
  /** The cloud connection's state (`connected`, ...), from the CloudInfo or Communications section. */
  cloudState: string | null;
}

const SECTION = /^=+\s*(.+?)\s*=+$/;
const CLOUD_SECTION = /cloud|communications/i;

function readSections(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  sections.set('', current);
  for (const raw of lines(text)) {
    const line = raw.trim();
    const header = SECTION.exec(line);
    if (header) {
      current = new Map<string, string>();
      sections.set(header[1]!, current);
      continue;
    }
    const pair = splitKeyValue(line);
    if (pair && pair[0] !== '' && !current.has(pair[0])) current.set(pair[0], pair[1]);
  }
  return sections;
}

export function parseFalconctlStats(text: string): FalconStats {
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'falconctl stats printed nothing.');
  const sections = readSections(text);
  const agentInfo = sections.get('agent_info');
  if (!agentInfo) throw unreadableOutput(text, 'falconctl stats', 'no agent_info section');
  const operational = agentInfo.get('Sensor operational');
  const sensorOperational = operational === undefined ? null : parseBooleanWord(operational);
  if (operational !== undefined && sensorOperational === null) {
    throw new AgentError('ERR_PARSE', `falconctl stats printed "Sensor operational: ${operational}".`);
  }
  const cloud = [...sections.entries()].find(([name, fields]) => CLOUD_SECTION.test(name) && fields.has('State'));
  return {
    version: agentInfo.get('version') || null,
    sensorOperational,
    cloudState: cloud?.[1].get('State') || null,
  };
}
