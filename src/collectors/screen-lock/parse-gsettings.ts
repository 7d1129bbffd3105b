/**
 * GNOME's screen-lock settings from `gsettings list-recursively` (GLib's gsettings(1)): one line per
 * key, `<schema> <key> <value>`, the value in GVariant text format as `gsettings get` prints it
 * (`true`, `uint32 300`, `'text'`). The keys that decide the lock (gsettings-desktop-schemas):
 * - org.gnome.desktop.screensaver lock-enabled (b): lock when the session goes idle;
 * - org.gnome.desktop.screensaver lock-delay (u): seconds after going idle before the lock;
 * - org.gnome.desktop.session idle-delay (u): seconds of inactivity until idle; 0 = never;
 * - org.gnome.desktop.lockdown disable-lock-screen (b): locking is forbidden altogether.
 * Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface GnomeLockSettings {
  lockEnabled: boolean | null;
  lockDelaySeconds: number | null;
  idleDelaySeconds: number | null;
  lockScreenDisabled: boolean | null;
}

export type GVariantScalar = boolean | number | string;

const SCREENSAVER = 'org.gnome.desktop.screensaver';
const SESSION = 'org.gnome.desktop.session';
const LOCKDOWN = 'org.gnome.desktop.lockdown';
/** GLib's messages; the quotes are U+201C/U+201D in UTF-8 locales and plain quotes in C. */
const NO_SUCH = /^No such (schema|key)\b/i;
const INTEGER = /^(?:(?:u?int(?:16|32|64)|byte|uint16)\s+)?(-?\d+)$/;

function notFound(text: string): AgentError {
  return new AgentError('ERR_NOT_FOUND', `gsettings: ${text.trim()}`);
}

/** One GVariant value as `gsettings get` prints it: booleans, (typed) integers and quoted strings. */
export function parseGVariantScalar(text: string): GVariantScalar {
  const value = text.trim();
  if (value === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'gsettings printed nothing.');
  if (NO_SUCH.test(value)) throw notFound(value);
  if (value === 'true' || value === 'false') return value === 'true';
  const integer = INTEGER.exec(value);
  if (integer) return Number(integer[1]);
  // GVariant strings: single-quoted, or double-quoted when they contain an apostrophe; backslash escapes.
  const quoted = /^'((?:[^'\\]|\\.)*)'$/.exec(value) ?? /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1');
  throw new AgentError('ERR_PARSE', `gsettings printed "${value.slice(0, 200)}", not a boolean, number or string.`);
}

function booleanValue(key: string, value: string): boolean {
  const parsed = parseGVariantScalar(value);
  if (typeof parsed !== 'boolean') throw new AgentError('ERR_PARSE', `gsettings printed ${key} = ${value}, not true or false.`);
  return parsed;
}

function secondsValue(key: string, value: string): number {
  const parsed = parseGVariantScalar(value);
  if (typeof parsed !== 'number' || parsed < 0) throw new AgentError('ERR_PARSE', `gsettings printed ${key} = ${value}, not a number of seconds.`);
  return parsed;
}

/** The four lock keys of a `gsettings list-recursively` listing (null: not in the listing). */
export function parseGsettingsList(text: string): GnomeLockSettings {
  const all = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (all.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'gsettings list-recursively printed nothing.');
  if (NO_SUCH.test(all[0]!)) throw notFound(all[0]!);
  const settings: GnomeLockSettings = { lockEnabled: null, lockDelaySeconds: null, idleDelaySeconds: null, lockScreenDisabled: null };
  let schemaLines = 0;
  let gnomeSchemas = false;
  for (const line of all) {
    const match = /^(\S+) (\S+) (.+)$/.exec(line);
    if (!match) continue;
    schemaLines += 1;
    const [, schema, key, value] = match as unknown as [string, string, string, string];
    if (schema === SCREENSAVER || schema === SESSION) gnomeSchemas = true;
    if (schema === SCREENSAVER && key === 'lock-enabled') settings.lockEnabled = booleanValue(key, value);
    else if (schema === SCREENSAVER && key === 'lock-delay') settings.lockDelaySeconds = secondsValue(key, value);
    else if (schema === SESSION && key === 'idle-delay') settings.idleDelaySeconds = secondsValue(key, value);
    else if (schema === LOCKDOWN && key === 'disable-lock-screen') settings.lockScreenDisabled = booleanValue(key, value);
  }
  if (schemaLines === 0) throw new AgentError('ERR_PARSE', `gsettings list-recursively printed no "schema key value" line: ${all[0]!.slice(0, 200)}`);
  if (!gnomeSchemas) {
    throw new AgentError('ERR_NOT_FOUND', `GNOME's desktop settings (${SCREENSAVER}, ${SESSION}; package gsettings-desktop-schemas) are not installed.`);
  }
  return settings;
}
