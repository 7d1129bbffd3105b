/**
 * The Mac's Secure Enclave, reported as kind 'secure-enclave' (a Mac has no TPM; the Secure
 * Enclave is its hardware key store). Macs that have one: Apple silicon, and Intel Macs with the
 * T2 or T1 chip (mac-models.ts); any other Intel Mac has none.
 *
 * 1. `sysctl hw.model hw.optional.arm64` (one short process, no root): Apple silicon, or an Intel
 *    model that Apple lists with a T2/T1, settles it.
 * 2. Only for any other Intel model (or when sysctl gave no answer): `system_profiler
 *    SPiBridgeDataType`, whose empty answer means no controller, so no Secure Enclave.
 *
 * A macOS virtual machine (VirtualMac) runs on Apple silicon but its Secure Enclave cannot be told
 * from inside: unknown, with the reason.
 */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { attempt } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { commandText } from '../macos/command-text.js';
import { intelSecurityChip } from './mac-models.js';
import { parseIbridge } from './parse-ibridge.js';
import { parseSysctlHardware } from './parse-sysctl-hardware.js';
import { absentTpm, deriveTpmStatus, UNKNOWN_TPM, type Tpm } from './schema.js';

const SYSCTL_ARGS = ['hw.model', 'hw.optional.arm64'];

function secureEnclave(source: string): Tpm {
  return { status: deriveTpmStatus(true), kind: 'secure-enclave', specVersion: null, manufacturer: 'Apple', enabled: null, ready: null, source };
}

export async function collectTpmDarwin(host: Host, ctx: CollectContext): Promise<Tpm> {
  const hardware = await attempt(ctx, `${DARWIN_COMMANDS.sysctl} ${SYSCTL_ARGS.join(' ')}`, async () => {
    const result = await host.run(DARWIN_COMMANDS.sysctl, SYSCTL_ARGS);
    return parseSysctlHardware(`${result.stdout}\n${result.stderr}`);
  });
  if (hardware?.arm64 === true) {
    if (hardware.model !== null && /^VirtualMac/i.test(hardware.model)) {
      ctx.error('ERR_UNSUPPORTED', `This Mac is a virtual machine (${hardware.model}): whether it has a Secure Enclave cannot be told from inside it.`);
      return { ...UNKNOWN_TPM, source: `sysctl hw.model ${hardware.model}` };
    }
    return secureEnclave('sysctl hw.optional.arm64 (Apple silicon)');
  }
  if (hardware?.arm64 === false && hardware.model !== null) {
    const chip = intelSecurityChip(hardware.model);
    if (chip !== null) return secureEnclave(`sysctl hw.model ${hardware.model} (Apple ${chip} Security Chip)`);
  }
  const bridge = await attempt(ctx, `${DARWIN_COMMANDS.systemProfiler} SPiBridgeDataType`, async () =>
    parseIbridge(commandText(await host.run(DARWIN_COMMANDS.systemProfiler, ['SPiBridgeDataType']))),
  );
  if (bridge === undefined) return UNKNOWN_TPM;
  if (bridge.chip === null) return absentTpm(`system_profiler SPiBridgeDataType (no T1/T2 controller${hardware?.model ? ` on ${hardware.model}` : ''})`);
  return secureEnclave(`system_profiler SPiBridgeDataType (${bridge.name ?? bridge.chip})`);
}
