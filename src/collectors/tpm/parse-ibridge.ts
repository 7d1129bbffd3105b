/**
 * `system_profiler SPiBridgeDataType`: the Mac's "Controller" (formerly "iBridge") section.
 *
 * - Intel Mac with a T2: `Model Name: Apple T2 chip` (macOS 10.13/10.14, 0xmachos/mOSL#4) or
 *   `Model Name: Apple T2 Security Chip` (later releases), with its bridgeOS firmware version.
 * - Intel MacBook Pro with Touch Bar (2016-2017): `Model Name: Apple T1 Security Chip`.
 * - Apple silicon: a Controller block with `Model Identifier: Mac15,9`, an iBoot firmware version
 *   (mBoot-...) and the Boot Policy, no T-chip model name.
 * - Any other Intel Mac: nothing at all, exit 0 (the mOSL#4 author's note).
 */
import { AgentError } from '../../shared/errors.js';
import { isPrivilegeRefusal } from '../macos/privilege-refusal.js';
import { keyValues, lines } from '../parse-text.js';

export type MacSecurityChip = 'T1' | 'T2' | 'Apple silicon';

export interface IbridgeReading {
  /** The chip that holds the Secure Enclave; null when system_profiler shows no controller. */
  chip: MacSecurityChip | null;
  /** As system_profiler names it ("Apple T2 Security Chip") or the Apple silicon model identifier. */
  name: string | null;
}

export function parseIbridge(text: string): IbridgeReading {
  const content = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (content.length === 0) return { chip: null, name: null };
  const values = keyValues(content);
  const modelName = values.get('Model Name') ?? null;
  const tChip = /\bT([12])\b/.exec(modelName ?? '');
  if (modelName !== null && tChip) return { chip: tChip[1] === '1' ? 'T1' : 'T2', name: modelName };
  const identifier = values.get('Model Identifier') ?? null;
  if (modelName === null && identifier !== null && /^(Mac|iMac|VirtualMac)/.test(identifier) && content.some((line) => /^Controller( Information)?:$/.test(line))) {
    return { chip: 'Apple silicon', name: identifier };
  }
  if (isPrivilegeRefusal(text)) throw new AgentError('ERR_ACCESS_DENIED', `system_profiler was refused: ${content[0]!.slice(0, 200)}`);
  throw new AgentError('ERR_PARSE', `system_profiler SPiBridgeDataType printed a controller this parser does not know: ${(modelName ?? content[0]!).slice(0, 200)}`);
}
