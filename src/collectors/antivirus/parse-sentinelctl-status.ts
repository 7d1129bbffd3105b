/**
 * SentinelOne for macOS: `sentinelctl status` prints unindented section names (`Agent`,
 * `Management`, `Global assets`, ...) and indented `Key:   value` lines (glpi-project/glpi-agent
 * resources/macos/antivirus/sentinelone-epp-24.1.2.7444-status). Read: Agent `Version`,
 * `Agent Operational State` (enabled/disabled), `Protection` (enabled/disabled), `Ready`,
 * `Infected`, `Network Quarantine` (yes/no), Management `Connected` (yes/no), and the
 * `staticSignatures` asset's `Applied at: <ISO 8601>`. `Install Date` and `Last Seen` follow the
 * device's locale (`16/04/2024, 16:22:18`) and are not read. A refusal is ERR_ACCESS_DENIED.
 * (Linux's `sentinelctl control status` is another format: parse-sentinelctl-control-status.ts.)
 */
import { AgentError } from '../../shared/errors.js';
import { unreadableOutput } from '../macos/privilege-refusal.js';
import { lines, parseBooleanWord, splitKeyValue } from '../parse-text.js';

export interface SentinelOneStatus {
  version: string | null;
  operational: boolean | null;
  protection: boolean | null;
  ready: boolean | null;
  infected: boolean | null;
  networkQuarantine: boolean | null;
  connected: boolean | null;
  /** When the static signatures were last applied, ISO 8601. */
  signaturesAppliedAt: string | null;
}

const SECTION = /^\S[^:]*$/;
const APPLIED_AT = /Applied at: (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)/;

function readSections(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    if (SECTION.test(line)) {
      current = new Map<string, string>();
      sections.set(line.trim(), current);
      continue;
    }
    const pair = splitKeyValue(line);
    if (current && pair && !current.has(pair[0])) current.set(pair[0], pair[1]);
  }
  return sections;
}

function word(fields: Map<string, string> | undefined, key: string): boolean | null {
  const value = fields?.get(key);
  if (value === undefined || value === '') return null;
  const parsed = parseBooleanWord(value);
  if (parsed === null) throw new AgentError('ERR_PARSE', `sentinelctl status printed "${key}: ${value}".`);
  return parsed;
}

export function parseSentinelctlStatus(text: string): SentinelOneStatus {
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'sentinelctl status printed nothing.');
  const sections = readSections(text);
  const agent = sections.get('Agent');
  if (!agent) throw unreadableOutput(text, 'sentinelctl status', 'no Agent section');
  const signatures = sections.get('Global assets')?.get('staticSignatures') ?? '';
  const applied = APPLIED_AT.exec(signatures);
  return {
    version: agent.get('Version') || null,
    operational: word(agent, 'Agent Operational State'),
    protection: word(agent, 'Protection'),
    ready: word(agent, 'Ready'),
    infected: word(agent, 'Infected'),
    networkQuarantine: word(agent, 'Network Quarantine'),
    connected: word(sections.get('Management'), 'Connected'),
    signaturesAppliedAt: applied ? new Date(applied[1]!).toISOString() : null,
  };
}
