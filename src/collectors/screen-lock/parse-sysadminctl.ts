/**
 * `sysadminctl -screenLock status` (macOS 10.13 and later), run as the logged-in user: whether a
 * password is required after the screen saver begins or the display sleeps, and after how long.
 * The answer is one NSLog line on stderr, `2026-09-21 20:50:02.423 sysadminctl[22746:23830390] `
 * followed by `screenLock delay is 300 seconds`, `screenLock delay is immediate` or
 * `screenLock is off` (shared fixture screen-lock/03; published captures). A negative delay
 * (`-1.000000 seconds`) is the private API's "no password" value (osquery's screenlock table reports
 * grace_period -1 when disabled, kolide/launcher#614). Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { unreadableOutput } from '../macos/privilege-refusal.js';
import { lines } from '../parse-text.js';

export interface SysadminctlScreenLock {
  passwordRequired: boolean;
  /** Seconds after the screen saver or display sleep until the password is required; null when not required. */
  graceSeconds: number | null;
}

const NSLOG_PREFIX = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? sysadminctl\[[^\]]*\]\s*/;
const COMMAND = 'sysadminctl -screenLock status';

export function parseSysadminctlScreenLock(text: string): SysadminctlScreenLock {
  const messages = lines(text).map((line) => line.trim().replace(NSLOG_PREFIX, '')).filter((line) => line !== '');
  if (messages.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', `${COMMAND} printed nothing.`);
  for (const message of messages) {
    if (/^screenLock is off\b/i.test(message)) return { passwordRequired: false, graceSeconds: null };
    if (/^screenLock delay is immediate\b/i.test(message)) return { passwordRequired: true, graceSeconds: 0 };
    const delay = /^screenLock delay is (-?\d+(?:\.\d+)?) seconds?\b/i.exec(message);
    if (delay) {
      const seconds = Number(delay[1]);
      return seconds < 0 ? { passwordRequired: false, graceSeconds: null } : { passwordRequired: true, graceSeconds: Math.round(seconds) };
    }
  }
  const text0 = messages.join('\n');
  if (/^usage: sysadminctl/im.test(text0)) {
    throw new AgentError('ERR_UNSUPPORTED', `${COMMAND} printed its usage: this macOS's sysadminctl has no -screenLock option (macOS 10.13 and later have it).`);
  }
  throw unreadableOutput(text0, COMMAND, `no "screenLock ..." line: ${messages[0]!.slice(0, 200)}`);
}
