/**
 * `/usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate --getstealthmode` prints one
 * sentence per flag (shared fixtures M3, M4). The global state is the NUMBER in `(State = N)`:
 * 0 off, 1 on, 2 block all incoming. The sentence around it changed: older macOS says
 * `Firewall is enabled. (State = 2)`, Sonoma/Sequoia `Firewall is blocking all non-essential
 * incoming connections. (State = 2)` without the word "enabled". Stealth mode reads
 * `Stealth mode enabled|disabled` (macOS 14 and earlier) or `Firewall stealth mode is on|off`
 * (15+); block all `Firewall has block all state set to enabled|disabled.`. A `usage:` line (a flag
 * this version does not know, printed on STDOUT) and the managed-Mac write refusal are not data.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export type GlobalState = 0 | 1 | 2;

export interface ApplicationFirewallState {
  globalState: GlobalState;
  stealthMode: boolean | null;
  blockAll: boolean | null;
}

const STATE = /\(State = (\d+)\)/;
const STEALTH = /^(?:Firewall stealth mode is (on|off)|Stealth mode (enabled|disabled))\.?$/i;
const BLOCK_ALL = /^Firewall has block all state set to (enabled|disabled)\.?$/i;
const NOT_DATA = /^usage:|^Firewall settings cannot be modified from command line on managed Mac computers/i;

function isGlobalState(value: number): value is GlobalState {
  return value === 0 || value === 1 || value === 2;
}

export function parseSocketfilterfw(text: string): ApplicationFirewallState {
  const printed = lines(text).map((line) => line.trim()).filter((line) => line !== '' && !NOT_DATA.test(line));
  if (printed.length === 0) {
    if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'socketfilterfw printed nothing.');
    throw new AgentError('ERR_PARSE', 'socketfilterfw printed only a usage line or a refusal, no firewall state.');
  }
  let globalState: GlobalState | null = null;
  let stealthMode: boolean | null = null;
  let blockAll: boolean | null = null;
  for (const line of printed) {
    const state = STATE.exec(line);
    if (state) {
      const value = Number(state[1]);
      if (!isGlobalState(value)) throw new AgentError('ERR_PARSE', `socketfilterfw reported an undocumented global state ${value}: "${line}".`);
      if (globalState !== null && globalState !== value) throw new AgentError('ERR_PARSE', 'socketfilterfw reported two different global states.');
      globalState = value;
      continue;
    }
    const stealth = STEALTH.exec(line);
    if (stealth) {
      const word = (stealth[1] ?? stealth[2]!).toLowerCase();
      stealthMode = word === 'on' || word === 'enabled';
      continue;
    }
    const block = BLOCK_ALL.exec(line);
    if (block) blockAll = block[1]!.toLowerCase() === 'enabled';
    // Any other sentence carries no number and decides nothing.
  }
  if (globalState === null) throw new AgentError('ERR_PARSE', `socketfilterfw printed no "(State = N)": "${printed[0]}".`);
  return { globalState, stealthMode, blockAll };
}
