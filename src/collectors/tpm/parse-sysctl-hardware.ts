/**
 * `sysctl hw.model hw.optional.arm64` on macOS, stdout and stderr together:
 *
 *   hw.model: MacBookPro18,3            (Apple silicon)
 *   hw.optional.arm64: 1
 *
 *   hw.model: MacBookPro15,1            (Intel: the arm64 OID does not exist there, and sysctl
 *   sysctl: unknown oid 'hw.optional.arm64'   stops at it with exit 1, so hw.model comes first)
 *
 * hw.optional.arm64 describes the hardware: it is 1 on Apple silicon also for a process translated
 * by Rosetta, where node's os.arch() says x64. Some Intel releases print `hw.optional.arm64: 0`.
 */
import { AgentError } from '../../shared/errors.js';
import { isPrivilegeRefusal } from '../macos/privilege-refusal.js';
import { lines, splitKeyValue } from '../parse-text.js';

export interface MacHardware {
  /** The model identifier (MacBookPro15,1, Mac14,2, VirtualMac2,1). */
  model: string | null;
  /** Apple silicon; false on Intel; null when not told. */
  arm64: boolean | null;
}

const UNKNOWN_ARM64_OID = /unknown oid '?hw\.optional\.arm64'?/i;

export function parseSysctlHardware(text: string): MacHardware {
  const all = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (all.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'sysctl printed nothing.');
  let model: string | null = null;
  let arm64: boolean | null = null;
  for (const line of all) {
    if (UNKNOWN_ARM64_OID.test(line)) {
      arm64 = false;
      continue;
    }
    const pair = splitKeyValue(line, /:\s*/);
    if (pair?.[0] === 'hw.model' && pair[1] !== '') model = pair[1];
    if (pair?.[0] === 'hw.optional.arm64') {
      if (pair[1] === '1') arm64 = true;
      else if (pair[1] === '0') arm64 = false;
      else throw new AgentError('ERR_PARSE', `sysctl printed hw.optional.arm64 "${pair[1]}", not 0 or 1.`);
    }
  }
  if (model === null && arm64 === null) {
    if (isPrivilegeRefusal(text)) throw new AgentError('ERR_ACCESS_DENIED', `sysctl was refused: ${all[0]!.slice(0, 200)}`);
    throw new AgentError('ERR_PARSE', `sysctl printed neither hw.model nor hw.optional.arm64: ${all[0]!.slice(0, 200)}`);
  }
  return { model, arm64 };
}
