/**
 * `mdatp health` (Microsoft Defender for Endpoint on Linux and macOS): padded `key : value` lines.
 * Format (shared fixtures README, L3; learn.microsoft.com/defender-endpoint/health-status):
 * strings are double-quoted, booleans and numbers bare, lists `[]` / `["a","b"]`, non-applicable
 * values `unavailable`, managed settings end in ` [managed]` (sometimes without the space), dates
 * read `Aug 12, 2023 at 03:26:24 AM` (local time, month names such as `Sept` longer than three
 * letters), an `ATTENTION: ...` banner may come before the table and a long quoted value may wrap
 * onto the next line.
 */
import { AgentError } from '../../shared/errors.js';
import type { AntivirusProduct } from '../antivirus/schema.js';
import { lines } from '../parse-text.js';

export interface MdatpHealth {
  healthy: boolean | null;
  /** `health_issues`: empty when healthy or when the field is absent. */
  healthIssues: string[];
  licensed: boolean | null;
  appVersion: string | null;
  engineVersion: string | null;
  realTimeProtectionEnabled: boolean | null;
  realTimeProtectionAvailable: boolean | null;
  passiveModeEnabled: boolean | null;
  /** `up_to_date`, `updating`, `update_failed`, `unavailable` is null. */
  definitionsStatus: string | null;
  definitionsVersion: string | null;
  /** Local wall-clock time of the last definitions update, `YYYY-MM-DDTHH:MM:SS` (mdatp prints no zone). */
  definitionsUpdated: string | null;
  definitionsUpdatedMinutesAgo: number | null;
  /** Lines printed before the table, such as `ATTENTION: No license found...`. */
  notices: string[];
}

export const MDATP_PRODUCT_NAME = 'Microsoft Defender for Endpoint';

/** `key<padding>: value`: keys are snake_case and always padded by at least one space before the colon. */
const FIELD_LINE = /^([a-z][a-z0-9_]*)\s+:(?:\s(.*))?$/;
/** The fields read below; `mdatp health --details <section>` prints only some of them. */
const KNOWN_FIELDS = [
  'healthy', 'health_issues', 'licensed', 'app_version', 'engine_version', 'real_time_protection_enabled',
  'real_time_protection_available', 'passive_mode_enabled', 'definitions_status', 'definitions_version',
  'definitions_updated', 'definitions_updated_minutes_ago',
];
const MANAGED_SUFFIX = /\s*\[managed\]$/;
const ACCESS_DENIED = /permission denied|must be (?:run as )?root|requires? (?:root|administrator|elevated)/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DATE = /^([A-Za-z]{3,9})\.? (\d{1,2}), (\d{4}) at (\d{1,2}):(\d{2}):(\d{2}) ?([AP]M)$/i;

function hasOpenQuote(value: string): boolean {
  return value.startsWith('"') && (value.length === 1 || !value.endsWith('"'));
}

/** Raw values by key; a line that is not a field continues a value whose quote is still open. */
function readFields(text: string): { fields: Map<string, string>; notices: string[] } {
  const fields = new Map<string, string>();
  const notices: string[] = [];
  let lastKey: string | undefined;
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    const match = FIELD_LINE.exec(line);
    if (match) {
      lastKey = match[1]!;
      fields.set(lastKey, (match[2] ?? '').trim());
      continue;
    }
    const previous = lastKey === undefined ? undefined : fields.get(lastKey);
    if (lastKey !== undefined && previous !== undefined && hasOpenQuote(previous)) {
      fields.set(lastKey, previous + line.trim());
    } else {
      notices.push(line.trim());
    }
  }
  return { fields, notices };
}

function unmanaged(value: string): string {
  return value.replace(MANAGED_SUFFIX, '').trim();
}

function stringValue(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const value = unmanaged(raw);
  if (value === '' || value === 'unavailable') return null;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1);
  return value;
}

function booleanValue(key: string, raw: string | undefined): boolean | null {
  const value = stringValue(raw);
  if (value === null) return null;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new AgentError('ERR_PARSE', `mdatp health printed "${value}" for ${key}, which is not true or false.`);
}

function numberValue(key: string, raw: string | undefined): number | null {
  const value = stringValue(raw);
  if (value === null) return null;
  if (!/^\d+$/.test(value)) throw new AgentError('ERR_PARSE', `mdatp health printed "${value}" for ${key}, which is not a number.`);
  return Number(value);
}

function listValue(key: string, raw: string | undefined): string[] {
  const value = raw === undefined ? null : unmanaged(raw);
  if (value === null || value === '' || value === 'unavailable') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && parsed.every((item): item is string => typeof item === 'string')) return parsed;
  } catch {
    // reported below
  }
  throw new AgentError('ERR_PARSE', `mdatp health printed ${key} as "${value}", which is not a list of strings.`);
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** `Aug 12, 2023 at 03:26:24 AM` to `2023-08-12T03:26:24`; null when the text is not such a date. */
export function parseMdatpDate(text: string | null): string | null {
  const match = text === null ? null : DATE.exec(text.trim());
  if (!match) return null;
  const month = MONTHS.indexOf(match[1]!.slice(0, 3).toLowerCase()) + 1;
  const day = Number(match[2]);
  let hour = Number(match[4]);
  if (month === 0 || day < 1 || day > 31 || hour < 1 || hour > 12) return null;
  const pm = match[7]!.toUpperCase() === 'PM';
  if (hour === 12) hour = pm ? 12 : 0;
  else if (pm) hour += 12;
  return `${match[3]}-${pad(month)}-${pad(day)}T${pad(hour)}:${match[5]}:${match[6]}`;
}

export function parseMdatpHealth(text: string): MdatpHealth {
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'mdatp health printed nothing.');
  const { fields, notices } = readFields(text);
  if (!KNOWN_FIELDS.some((key) => fields.has(key))) {
    const first = notices[0] ?? '';
    if (ACCESS_DENIED.test(text)) throw new AgentError('ERR_ACCESS_DENIED', `mdatp health was refused: ${first}`);
    throw new AgentError('ERR_PARSE', `mdatp health printed no health table (first line: "${first}").`);
  }
  return {
    healthy: booleanValue('healthy', fields.get('healthy')),
    healthIssues: listValue('health_issues', fields.get('health_issues')),
    licensed: booleanValue('licensed', fields.get('licensed')),
    appVersion: stringValue(fields.get('app_version')),
    engineVersion: stringValue(fields.get('engine_version')),
    realTimeProtectionEnabled: booleanValue('real_time_protection_enabled', fields.get('real_time_protection_enabled')),
    realTimeProtectionAvailable: booleanValue('real_time_protection_available', fields.get('real_time_protection_available')),
    passiveModeEnabled: booleanValue('passive_mode_enabled', fields.get('passive_mode_enabled')),
    definitionsStatus: stringValue(fields.get('definitions_status')),
    definitionsVersion: stringValue(fields.get('definitions_version')),
    definitionsUpdated: parseMdatpDate(stringValue(fields.get('definitions_updated'))),
    definitionsUpdatedMinutesAgo: numberValue('definitions_updated_minutes_ago', fields.get('definitions_updated_minutes_ago')),
    notices,
  };
}

/** Three-valued AND: false wins, then unknown. */
function both(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  return a === true && b === true ? true : null;
}

function negate(value: boolean | null): boolean | null {
  return value === null ? null : !value;
}

function describe(health: MdatpHealth): string | null {
  const parts: string[] = [];
  if (health.licensed === false) parts.push('not licensed (not onboarded)');
  if (health.passiveModeEnabled === true) parts.push('passive mode');
  if (health.realTimeProtectionEnabled === true && health.realTimeProtectionAvailable === false) parts.push('real-time protection unavailable');
  if (health.definitionsStatus !== null && health.definitionsStatus !== 'up_to_date') parts.push(`definitions ${health.definitionsStatus}`);
  parts.push(...health.healthIssues);
  return parts.length > 0 ? parts.join('; ') : null;
}

const NO_LICENSE_NOTICE = /no license found/i;

/**
 * healthy AND licensed. When mdatp printed neither (older builds, trimmed outputs such as the
 * `real_time_protection_*` lines Microsoft's docs show), real-time protection on (and available)
 * and not in passive mode shows the product running: enabled, unless the banner says there is no
 * license. A passive_mode_enabled that is absent does not stop this (passive mode would not make
 * a running product disabled either; realTime stays unknown then). Real time off or passive proves
 * nothing about "enabled" (a passive product runs): null, and `realTime: false` says why it does
 * not protect.
 */
function enabledOf(health: MdatpHealth, scanning: boolean | null): boolean | null {
  if (health.healthy !== null || health.licensed !== null) return both(health.healthy, health.licensed);
  if (health.notices.some((notice) => NO_LICENSE_NOTICE.test(notice))) return false;
  return scanning === true && health.passiveModeEnabled !== true ? true : null;
}

/**
 * The report's product for a parsed `mdatp health`: enabled = healthy AND licensed (see enabledOf
 * when both are absent); real time = real-time protection on (and available) AND not passive
 * (passive mode does not block); up to date = definitions status `up_to_date`. The update time
 * comes from `definitions_updated_minutes_ago` (mdatp's own date has no zone), so it is exact to
 * the minute whatever the device's time zone.
 */
export function mdatpProduct(health: MdatpHealth, now: Date): AntivirusProduct {
  const minutesAgo = health.definitionsUpdatedMinutesAgo;
  // Enabled but not available means the scanning component is not running (e.g. a macOS extension not approved).
  const scanning = health.realTimeProtectionAvailable === false ? false : health.realTimeProtectionEnabled;
  return {
    name: MDATP_PRODUCT_NAME,
    enabled: enabledOf(health, scanning),
    realTime: both(scanning, negate(health.passiveModeEnabled)),
    upToDate: health.definitionsStatus === null ? null : health.definitionsStatus === 'up_to_date',
    definitionsUpdatedAt: minutesAgo === null ? null : new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
    state: describe(health),
    version: health.appVersion,
  };
}
