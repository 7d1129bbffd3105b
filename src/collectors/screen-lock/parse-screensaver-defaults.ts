/**
 * `defaults read <domain or plist path>` of com.apple.screensaver: the old-style property list
 * `defaults` prints, `{ key = value; ... }`, one top-level entry per line (nested dictionaries and
 * arrays indented inside). Booleans print as 1 or 0. The keys of Apple's Screensaver payload
 * (developer.apple.com/documentation/devicemanagement/screensaver): askForPassword (require a
 * password to stop the screen saver), askForPasswordDelay (grace seconds), idleTime (seconds of
 * inactivity until the screen saver starts, 0 = never). A domain that does not exist is reported
 * on stderr as `Domain ... does not exist`. Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { unreadableOutput } from '../macos/privilege-refusal.js';
import { lines } from '../parse-text.js';

export interface ScreensaverDefaults {
  askForPassword: boolean | null;
  askForPasswordDelay: number | null;
  idleTime: number | null;
}

const KEYS: Readonly<Record<string, keyof ScreensaverDefaults>> = {
  askForPassword: 'askForPassword',
  askForPasswordDelay: 'askForPasswordDelay',
  idleTime: 'idleTime',
};

export function parseScreensaverDefaults(text: string): ScreensaverDefaults {
  const all = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (all.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'defaults read printed nothing.');
  if (all[0] !== '{' || all.at(-1) !== '}') {
    // `defaults` prints an NSLog line (`<date> defaults[pid:tid]`) and then `Domain <domain> does not exist`.
    const missing = all.find((line) => /does not exist/i.test(line));
    if (missing) throw new AgentError('ERR_NOT_FOUND', `defaults read: ${missing}`);
    throw unreadableOutput(all.join('\n'), 'defaults read', `something other than a dictionary: ${all[0]!.slice(0, 200)}`);
  }
  const values: ScreensaverDefaults = { askForPassword: null, askForPasswordDelay: null, idleTime: null };
  let depth = 0;
  for (const line of all.slice(1, -1)) {
    if (depth === 0) {
      const entry = /^"?([A-Za-z0-9_.-]+)"?\s*=\s*(.*?);?$/.exec(line);
      const key = entry ? KEYS[entry[1]!] : undefined;
      if (entry && key) {
        const value = entry[2]!.replace(/^"(.*)"$/, '$1');
        if (!/^-?\d+$/.test(value)) throw new AgentError('ERR_PARSE', `com.apple.screensaver ${entry[1]!} is "${value}", not a number.`);
        if (key === 'askForPassword') values.askForPassword = Number(value) !== 0;
        else values[key] = Number(value);
      }
    }
    depth += (line.match(/[{(]/g) ?? []).length - (line.match(/[})]/g) ?? []).length;
  }
  return values;
}
