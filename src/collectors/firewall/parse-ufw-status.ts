/**
 * `ufw status verbose` (ufw(8); ufw's backend_iptables.get_status): `Status: active` or
 * `Status: inactive`; verbose adds `Logging: on (low)`, `Default: deny (incoming), allow
 * (outgoing), disabled (routed)` and `New profiles: skip`, then the rule table (`To  Action  From`,
 * a `--` line, rule rows with blank lines between IN and FWD groups). Run as non-root it prints
 * `ERROR: You need to be root to run this script`. The words are translated (gettext); the runner
 * sets LC_ALL=C, and the only translation known here is the German `Status: Aktiv` (reported in
 * dlt-green/node-installer-docker #179); any other wording is refused (shared fixtures README, L4).
 */
import { AgentError } from '../../shared/errors.js';
import { lines, splitKeyValue } from '../parse-text.js';

export interface UfwStatus {
  active: boolean;
  /** Default policies from the verbose `Default:` line (`deny`, `allow`, `reject`, `disabled`); null when not printed. */
  incoming: string | null;
  outgoing: string | null;
  routed: string | null;
  logging: string | null;
  /** Rule rows in the table. */
  rules: number;
}

/** Status words by locale: English (LC_ALL=C) and the observed German output. */
const STATUS_WORDS: Readonly<Record<string, boolean>> = { active: true, inactive: false, aktiv: true };

function defaults(value: string | undefined): Record<string, string> {
  const policies: Record<string, string> = {};
  for (const part of value?.split(',') ?? []) {
    const match = /^\s*(\S+) \((\w+)\)\s*$/.exec(part);
    if (match) policies[match[2]!] = match[1]!;
  }
  return policies;
}

function countRules(content: readonly string[]): number {
  const separator = content.findIndex((line) => /^--\s+------\s+----/.test(line.trim()));
  if (separator < 0) return 0;
  return content.slice(separator + 1).filter((line) => line.trim() !== '').length;
}

export function parseUfwStatus(text: string): UfwStatus {
  const content = lines(text);
  const meaningful = content.map((line) => line.trim()).filter((line) => line !== '');
  if (meaningful.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'ufw status printed nothing.');
  if (meaningful.some((line) => /need to be root/i.test(line))) {
    throw new AgentError('ERR_ACCESS_DENIED', 'ufw status needs root ("You need to be root to run this script").');
  }
  const status = splitKeyValue(meaningful[0]!, ':');
  const active = status?.[0] === 'Status' ? STATUS_WORDS[status[1].toLowerCase()] : undefined;
  if (active === undefined) {
    throw new AgentError('ERR_PARSE', `ufw status printed "${meaningful[0]!}", not "Status: active|inactive" (is LC_ALL=C set?).`);
  }
  const fields = new Map(meaningful.slice(1).map((line) => splitKeyValue(line, ':')).filter((pair) => pair !== undefined));
  const policies = defaults(fields.get('Default'));
  return {
    active,
    incoming: policies.incoming ?? null,
    outgoing: policies.outgoing ?? null,
    routed: policies.routed ?? null,
    logging: fields.get('Logging') ?? null,
    rules: countRules(content),
  };
}
