/**
 * The Windows diskEncryption signal: every fixed volume, the system volume being %SystemDrive%.
 * Sources, in order:
 * 1. One PowerShell probe (windows/disk-encryption-script.ts) with two sections: the shell property
 *    System.Volume.BitLockerProtection for each fixed volume, which a STANDARD USER can read, and
 *    Get-BitLockerVolume, which only administrators and SYSTEM can (percentage, method, protectors).
 *    A volume Get-BitLockerVolume describes is taken from it; otherwise from the shell property, so
 *    a standard user's "access denied" never hides what the shell property said.
 * 2. Only when that probe gave no volume at all (PowerShell missing, blocked, hung or unreadable)
 *    and not merely because the process is unelevated: `manage-bde -status`, localised text.
 */
import { WIN32_COMMANDS } from '../../exec/commands-win32.js';
import { AgentError } from '../../shared/errors.js';
import { attempt } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { DISK_ENCRYPTION_SCRIPT } from '../windows/disk-encryption-script.js';
import { problemCode } from '../windows/parse-powershell-document.js';
import { outputText, runPowerShell } from '../windows/powershell.js';
import { parseBitLockerJson, type DiskEncryptionReading } from './parse-bitlocker-json.js';
import { parseManageBde } from './parse-manage-bde.js';
import { summarizeEncryption, UNKNOWN_DISK_ENCRYPTION, type DiskEncryption, type EncryptedVolume } from './schema.js';

/** WBEM_E_ACCESS_DENIED: manage-bde's exit code when it is not run as an administrator (any UI language). */
const MANAGE_BDE_ACCESS_DENIED = 0x80041003;
const RUN_ELEVATED = 'Run the agent as SYSTEM or as an administrator to read it.';

async function readProbe(host: Host): Promise<DiskEncryptionReading> {
  return parseBitLockerJson(await runPowerShell(host, DISK_ENCRYPTION_SCRIPT));
}

async function readManageBde(host: Host): Promise<EncryptedVolume[]> {
  const result = await host.run(WIN32_COMMANDS.manageBde, ['-status']);
  if (result.exitCode >>> 0 === MANAGE_BDE_ACCESS_DENIED) {
    throw new AgentError('ERR_ACCESS_DENIED', `manage-bde -status was refused: it needs administrator rights. ${RUN_ELEVATED}`);
  }
  return parseManageBde(outputText(result));
}

/** Reports what the probe could not read, where it matters: a refusal of the admin-only section only when a volume is still unknown. */
function reportProbeProblems(ctx: CollectContext, reading: DiskEncryptionReading): void {
  if (reading.fixedVolumes !== 'read') {
    ctx.error(
      problemCode(reading.fixedVolumes),
      `The BitLocker state Explorer shows for each fixed volume (System.Volume.BitLockerProtection) could not be read: ${reading.fixedVolumes.message}`,
    );
  }
  const bitLocker = reading.bitLocker;
  if (bitLocker === 'read') return;
  const needed = reading.volumes.length === 0 || reading.volumes.some((volume) => volume.encrypted === null);
  if (bitLocker.kind === 'access-denied' && needed) {
    ctx.error('ERR_ACCESS_DENIED', `Get-BitLockerVolume was refused (${bitLocker.message}) and Explorer's BitLocker state did not settle every volume. ${RUN_ELEVATED}`);
  } else if (bitLocker.kind === 'not-available' && needed) {
    ctx.error('ERR_UNSUPPORTED', `Get-BitLockerVolume is not available on this device (BitLocker may not be installed): ${bitLocker.message}`);
  } else if (bitLocker.kind === 'failed') {
    ctx.error('ERR_COMMAND_FAILED', `Get-BitLockerVolume failed: ${bitLocker.message}`);
  }
}

/** Unknown is never silent: say why the system volume decides nothing. */
function explainUnknown(ctx: CollectContext, volumes: readonly EncryptedVolume[], systemDrive: string | null): void {
  const system = volumes.find((volume) => volume.system);
  if (system && system.encrypted === null) {
    ctx.error('ERR_SIGNAL_UNAVAILABLE', `Whether the system volume ${system.mount} is encrypted is not known: ${system.state ?? 'no state reported'}.`);
  } else if (!system && volumes.length > 0) {
    ctx.error('ERR_SIGNAL_UNAVAILABLE', `The system volume ${systemDrive ?? '(%SystemDrive%)'} was not among the volumes read.`);
  }
}

function result(ctx: CollectContext, volumes: EncryptedVolume[], systemDrive: string | null): DiskEncryption {
  const summary = summarizeEncryption(volumes);
  if (summary.status === 'unknown') explainUnknown(ctx, volumes, systemDrive);
  return summary;
}

export async function collectDiskEncryptionWin32(host: Host, ctx: CollectContext): Promise<DiskEncryption> {
  const reading = await attempt(ctx, 'The BitLocker state (PowerShell: Explorer property and Get-BitLockerVolume)', () => readProbe(host));
  if (reading) reportProbeProblems(ctx, reading);
  if (reading && reading.volumes.length > 0) return result(ctx, reading.volumes, reading.systemDrive);
  // manage-bde needs the same rights Get-BitLockerVolume was refused: do not start it for nothing.
  if (reading && reading.bitLocker !== 'read' && reading.bitLocker.kind === 'access-denied') return UNKNOWN_DISK_ENCRYPTION;
  const volumes = await attempt(ctx, 'manage-bde -status', () => readManageBde(host));
  if (!volumes) return UNKNOWN_DISK_ENCRYPTION;
  // %SystemDrive%, when the probe told it, is surer than manage-bde's localised role line.
  const systemDrive = reading?.systemDrive ?? null;
  const marked = systemDrive === null ? volumes : volumes.map((volume) => ({ ...volume, system: volume.mount === systemDrive }));
  return result(ctx, marked, systemDrive);
}
