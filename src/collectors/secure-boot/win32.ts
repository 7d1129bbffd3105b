/**
 * Secure Boot on Windows. Sources, cheapest first:
 * 1. `reg.exe query HKLM\SYSTEM\CurrentControlSet\Control\SecureBoot\State` (one fast process,
 *    readable by a standard user). UEFISecureBootEnabled 1 is the answer: `enabled`, no PowerShell.
 * 2. Anything else (0, no key, unreadable): one PowerShell probe (secure-boot-script.ts) with
 *    Confirm-SecureBootUEFI and SetupMode (administrators only) and PEFirmwareType (anyone).
 *
 * Status, first rule that applies:
 * - Confirm-SecureBootUEFI True/False (an administrator's run): enabled/disabled by the UEFI rule
 *   (schema.ts), with SetupMode when read.
 * - Confirm-SecureBootUEFI "not supported on this platform" (0xC0000002): unsupported (BIOS boot or
 *   no Secure Boot in the firmware; Get-SecureBootUEFI/Confirm-SecureBootUEFI documentation).
 * - Confirm-SecureBootUEFI "variable is currently undefined" (0xC0000100): disabled: UEFI firmware
 *   without a SecureBoot variable, which is also how some firmware reports Secure Boot switched off
 *   (MicrosoftDocs/windows-powershell-docs#4034).
 * - Otherwise, as a standard user gets it: PEFirmwareType 1 (BIOS) → unsupported; registry 1 →
 *   enabled; registry 0 → disabled (Windows writes 0 for Secure Boot off and for Setup Mode).
 * - Otherwise unknown, with why (Confirm-SecureBootUEFI needs administrator rights).
 */
import { WIN32_COMMANDS } from '../../exec/commands-win32.js';
import type { AgentError } from '../../shared/errors.js';
import { toAgentError } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { problemCode } from '../windows/parse-powershell-document.js';
import { outputText, runPowerShell } from '../windows/powershell.js';
import { parseSecureBootJson, type SecureBootProbeReading } from './parse-secure-boot-json.js';
import { parseSecureBootStateKey, SECURE_BOOT_STATE_KEY, type SecureBootStateKey } from './parse-secure-boot-state-key.js';
import { SECURE_BOOT_SCRIPT } from './secure-boot-script.js';
import { deriveSecureBootStatus, describeUefiState, UNKNOWN_SECURE_BOOT, type SecureBoot } from './schema.js';

const REGISTRY_SOURCE = 'registry';
const CONFIRM_SOURCE = 'Confirm-SecureBootUEFI';
const ADMIN_HINT = 'run the agent as administrator or SYSTEM (its service) to read it';

type Outcome<T> = { value: T } | { error: AgentError };

async function outcome<T>(what: string, work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await work() };
  } catch (error) {
    return { error: toAgentError(error, what) };
  }
}

async function readRegistry(host: Host): Promise<SecureBootStateKey> {
  return parseSecureBootStateKey(outputText(await host.run(WIN32_COMMANDS.reg, ['query', SECURE_BOOT_STATE_KEY])));
}

function registryAnswer(value: number, firmwareType: SecureBootProbeReading['firmwareType']): SecureBoot {
  const firmware = firmwareType === 'uefi' ? ', PEFirmwareType 2 (UEFI)' : '';
  return { status: value === 1 ? 'enabled' : 'disabled', setupMode: null, detail: `UEFISecureBootEnabled ${value}${firmware}`, source: REGISTRY_SOURCE };
}

function fromConfirm(probe: SecureBootProbeReading): SecureBoot | null {
  const { outcome: answer, message } = probe.confirm;
  if (answer === 'true' || answer === 'false') {
    const state = { secureBoot: answer === 'true', setupMode: probe.setupMode, shimValidationDisabled: false };
    return { status: deriveSecureBootStatus(state), setupMode: probe.setupMode, detail: `Confirm-SecureBootUEFI ${answer === 'true' ? 'True' : 'False'} (${describeUefiState(state)})`, source: CONFIRM_SOURCE };
  }
  if (answer === 'not-supported') {
    return { status: 'unsupported', setupMode: null, detail: `not supported on this platform (0xC0000002): legacy BIOS boot or no Secure Boot in the firmware${message ? `; "${message}"` : ''}`, source: CONFIRM_SOURCE };
  }
  if (answer === 'variable-undefined') {
    return { status: 'disabled', setupMode: probe.setupMode, detail: `SecureBoot variable undefined (0xC0000100): the firmware does not provide Secure Boot, or has it switched off`, source: CONFIRM_SOURCE };
  }
  return null;
}

function judge(registry: SecureBootStateKey | null, probe: SecureBootProbeReading | null): SecureBoot | null {
  const confirmed = probe ? fromConfirm(probe) : null;
  if (confirmed) return confirmed;
  const firmwareType = probe?.firmwareType ?? null;
  if (firmwareType === 'bios' && registry?.uefiSecureBootEnabled !== 1) {
    return { status: 'unsupported', setupMode: null, detail: 'PEFirmwareType 1: Windows booted in legacy BIOS mode', source: REGISTRY_SOURCE };
  }
  const value = registry?.uefiSecureBootEnabled ?? null;
  if (value === 0 || value === 1) return registryAnswer(value, firmwareType);
  return null;
}

function reportUnknown(ctx: CollectContext, registry: Outcome<SecureBootStateKey>, probe: Outcome<SecureBootProbeReading> | null): void {
  if ('error' in registry) ctx.error(registry.error.code, registry.error.message);
  else if (!registry.value.keyFound) ctx.error('ERR_NOT_FOUND', `${SECURE_BOOT_STATE_KEY} does not exist (Windows writes it when it boots with UEFI), and whether this is a legacy BIOS boot could not be established (no PEFirmwareType).`);
  else ctx.error('ERR_NOT_FOUND', `${SECURE_BOOT_STATE_KEY} has no UEFISecureBootEnabled value (or an unexpected one).`);
  if (!probe) return;
  if ('error' in probe) {
    ctx.error(probe.error.code, probe.error.message);
    return;
  }
  const { outcome: answer, message } = probe.value.confirm;
  if (answer === 'access-denied') ctx.error('ERR_ACCESS_DENIED', `Confirm-SecureBootUEFI needs administrator rights (SeSystemEnvironmentPrivilege): ${ADMIN_HINT}. It said: ${message ?? 'access denied'}`);
  else if (answer === 'unavailable') ctx.error('ERR_UNSUPPORTED', `Confirm-SecureBootUEFI is not available on this Windows: ${message ?? 'no SecureBoot module'}`);
  else if (answer === 'failed') ctx.error('ERR_COMMAND_FAILED', `Confirm-SecureBootUEFI failed: ${message ?? 'no message'}`);
  const problem = probe.value.registryProblem;
  if (problem) ctx.error(problemCode(problem), `${SECURE_BOOT_STATE_KEY} could not be read from PowerShell: ${problem.message}`);
}

export async function collectSecureBootWin32(host: Host, ctx: CollectContext): Promise<SecureBoot> {
  const registry = await outcome(`reg.exe query ${SECURE_BOOT_STATE_KEY}`, () => readRegistry(host));
  if ('value' in registry && registry.value.uefiSecureBootEnabled === 1) return registryAnswer(1, null);
  const probe = await outcome('The Secure Boot state (PowerShell: Confirm-SecureBootUEFI)', async () => parseSecureBootJson(await runPowerShell(host, SECURE_BOOT_SCRIPT)));
  const probeReading = 'value' in probe ? probe.value : null;
  const registryReading = 'value' in registry ? registry.value : (probeReading?.registry ?? null);
  const answer = judge(registryReading, probeReading);
  if (answer) return answer;
  reportUnknown(ctx, registry, probe);
  return UNKNOWN_SECURE_BOOT;
}
