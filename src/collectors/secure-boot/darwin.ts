/**
 * Secure Boot on macOS, no root needed:
 * 1. `system_profiler -json SPiBridgeDataType` (about 0.2 s): the boot policy of an Apple silicon Mac
 *    or a T2 Mac on current macOS, `ibridge_secure_boot`.
 * 2. Only when that names no policy: `nvram ...:AppleSecureBootPolicy`, the T2 chip's setting,
 *    which older macOS does not show in system_profiler.
 * 3. Neither, with no controller listed and an Intel (x64) Mac: no T2 chip, so no Secure Boot:
 *    `unsupported`.
 *
 * Status: Full, Reduced (Apple silicon) and Medium (T2) Security verify what boots (Medium and
 * Reduced also accept older Apple-signed versions): `enabled`, with the wording in `detail`.
 * Permissive Security (Apple silicon: lets the user boot kernels and extensions Apple did not sign)
 * and No Security (T2): `disabled`. macOS has no UEFI Setup Mode: setupMode is null.
 */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { AgentError } from '../../shared/errors.js';
import { toAgentError } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { commandText } from '../macos/command-text.js';
import { parseNvramSecureBootPolicy, SECURE_BOOT_POLICY_VARIABLE, type SecureBootPolicy } from './parse-nvram-secure-boot-policy.js';
import { parseSPiBridgeJson, type IBridgeReading, type SecureBootLevel } from './parse-spibridge-json.js';
import { UNKNOWN_SECURE_BOOT, type SecureBoot, type SecureBootStatus } from './schema.js';

const LEVEL_STATUS: Readonly<Record<SecureBootLevel, SecureBootStatus>> = {
  full: 'enabled',
  reduced: 'enabled',
  medium: 'enabled',
  permissive: 'disabled',
  none: 'disabled',
};

const NVRAM_POLICIES: Readonly<Record<0 | 1 | 2, { level: SecureBootLevel; wording: string }>> = {
  0: { level: 'none', wording: 'No Security' },
  1: { level: 'medium', wording: 'Medium Security' },
  2: { level: 'full', wording: 'Full Security' },
};

const SYSTEM_PROFILER = `${DARWIN_COMMANDS.systemProfiler} -json SPiBridgeDataType`;
const NVRAM = `${DARWIN_COMMANDS.nvram} ${SECURE_BOOT_POLICY_VARIABLE}`;

async function readIBridge(host: Host): Promise<IBridgeReading> {
  return parseSPiBridgeJson(commandText(await host.run(DARWIN_COMMANDS.systemProfiler, ['-json', 'SPiBridgeDataType'])));
}

async function readNvram(host: Host): Promise<SecureBootPolicy> {
  return parseNvramSecureBootPolicy(commandText(await host.run(DARWIN_COMMANDS.nvram, [SECURE_BOOT_POLICY_VARIABLE])));
}

/** Whether this is an Intel Mac, from the inventory's architecture; null when the host cannot say. */
async function isIntel(host: Host): Promise<boolean | null> {
  if (!host.systemInfo) return null;
  try {
    const arch = (await host.systemInfo()).arch;
    return arch === 'x64' ? true : arch === 'arm64' ? false : null;
  } catch {
    return null;
  }
}

export async function collectSecureBootDarwin(host: Host, ctx: CollectContext): Promise<SecureBoot> {
  const failures: AgentError[] = [];
  let bridge: IBridgeReading | null = null;
  try {
    bridge = await readIBridge(host);
    if (bridge.level !== null) {
      return { status: LEVEL_STATUS[bridge.level], setupMode: null, detail: bridge.secureBoot, source: 'system_profiler' };
    }
    if (bridge.secureBoot !== null) {
      failures.push(new AgentError('ERR_PARSE', `system_profiler reports the Secure Boot policy as "${bridge.secureBoot}", a wording the agent does not know (a language it has no translation for, or a new policy).`));
    }
  } catch (error) {
    failures.push(toAgentError(error, SYSTEM_PROFILER));
  }

  try {
    const nvram = await readNvram(host);
    if (nvram.policy !== null) {
      const { level, wording } = NVRAM_POLICIES[nvram.policy];
      return { status: LEVEL_STATUS[level], setupMode: null, detail: `AppleSecureBootPolicy ${nvram.policy} (${wording})`, source: 'nvram' };
    }
  } catch (error) {
    failures.push(toAgentError(error, NVRAM));
  }

  if (bridge !== null && bridge.controllers === 0 && failures.length === 0) {
    const intel = await isIntel(host);
    if (intel === true) {
      return { status: 'unsupported', setupMode: null, detail: 'Intel Mac without an Apple T2 chip: no Secure Boot', source: 'system_profiler' };
    }
    failures.push(
      new AgentError(
        'ERR_SIGNAL_UNAVAILABLE',
        intel === false
          ? 'system_profiler lists no boot policy on an Apple silicon Mac, and nvram has no T2 policy.'
          : 'system_profiler lists no T2 or Apple silicon controller and nvram has no T2 policy, but whether this is an Intel Mac could not be read.',
      ),
    );
  } else if (bridge !== null && bridge.secureBoot === null && failures.length === 0) {
    failures.push(new AgentError('ERR_SIGNAL_UNAVAILABLE', `system_profiler lists ${bridge.model ?? 'a controller'} without a Secure Boot policy, and nvram has no T2 policy.`));
  }
  for (const failure of failures) ctx.error(failure.code, failure.message);
  return UNKNOWN_SECURE_BOOT;
}
