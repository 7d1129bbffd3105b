import type { PostureReport } from '../../collectors/report.js';
import type { EncryptedVolume } from '../../collectors/disk-encryption/schema.js';
import type { CheckOutcome } from '../types.js';
import { defineCheck, unknownOutcome, type Zod } from './check.js';

const noParams = (z: Zod) => z.strictObject({}).optional();

function describe(volume: EncryptedVolume): string {
  const detail = [volume.method, volume.state].filter((part): part is string => Boolean(part)).join(', ');
  return detail ? `${volume.mount} — ${detail}` : volume.mount;
}

function percentText(volume: EncryptedVolume): string {
  return typeof volume.percentEncrypted === 'number' ? `${volume.percentEncrypted}%` : 'percentage not reported';
}

/** A volume being encrypted (the structured `conversion`, never the free-text `state`). */
function isEncrypting(volume: EncryptedVolume): boolean {
  return volume.conversion === 'encrypting';
}

function encryptingReason(volumes: readonly EncryptedVolume[]): string {
  const progress = volumes.length === 1 ? percentText(volumes[0]!) : volumes.map((volume) => `${volume.mount} ${percentText(volume)}`).join(', ');
  return `Encryption in progress: ${progress}; access returns when it finishes. Keep the laptop on power (and awake) until then.`;
}

function describeFailure(volume: EncryptedVolume): string {
  if (isEncrypting(volume)) return `${volume.mount} — encryption in progress (${percentText(volume)})`;
  if (volume.conversion === 'decrypting') return `${volume.mount} — being decrypted (${percentText(volume)} still encrypted)`;
  return describe(volume);
}

/**
 * Fails for any volume that is not encrypted and protected. A volume being encrypted fails too
 * (its data is not all protected yet), with its percentage and word that it passes once done; a
 * volume being decrypted fails as losing its encryption.
 */
function judgeVolumes(volumes: readonly EncryptedVolume[], report: PostureReport, what: string): CheckOutcome {
  if (volumes.length === 0) return unknownOutcome(report, 'diskEncryption', what);
  const unprotected = volumes.filter((volume) => volume.encrypted === false || volume.conversion === 'encrypting' || volume.conversion === 'decrypting');
  if (unprotected.length > 0 && unprotected.every(isEncrypting)) return { status: 'fail', reason: encryptingReason(unprotected) };
  if (unprotected.length > 0) {
    return { status: 'fail', reason: `Not encrypted and protected: ${unprotected.map(describeFailure).join('; ')}.` };
  }
  const unknown = volumes.filter((volume) => volume.encrypted !== true);
  if (unknown.length > 0) return unknownOutcome(report, 'diskEncryption', `whether ${unknown.map((v) => v.mount).join(', ')} is encrypted`);
  return { status: 'pass', reason: `Encrypted: ${volumes.map(describe).join('; ')}.` };
}

const ENCRYPTION_REMEDIATION = {
  win32: 'Turn on BitLocker for the system drive: Settings > Privacy & security > Device encryption (or Control Panel > BitLocker Drive Encryption), and let it finish. If encryption is already in progress, keep the laptop on power until it reaches 100%. If it says "waiting for activation" or "suspended", resume protection; if encryption is paused, resume it; if the drive is being decrypted, turn BitLocker back on.',
  darwin: 'Turn on FileVault: System Settings > Privacy & Security > FileVault, and let encryption finish. If encryption is already in progress, keep the Mac awake and on power until it finishes. If FileVault is being turned off (decrypting), turn it back on.',
  linux: 'The system disk must be LUKS-encrypted, which needs a reinstall with "Encrypt the new installation" selected. Ask IT to re-image this laptop.',
} as const;

export const diskEncryptionSystem = defineCheck({
  type: 'diskEncryption.system',
  title: 'The system disk is encrypted',
  signal: 'diskEncryption',
  params: noParams,
  evaluate(report) {
    const system = report.diskEncryption.volumes.filter((volume) => volume.system);
    return judgeVolumes(system, report, 'whether the system disk is encrypted');
  },
  remediation: ENCRYPTION_REMEDIATION,
});

export const diskEncryptionAllVolumes = defineCheck({
  type: 'diskEncryption.allVolumes',
  title: 'Every internal data volume is encrypted',
  signal: 'diskEncryption',
  params: noParams,
  evaluate(report) {
    return judgeVolumes(report.diskEncryption.volumes, report, 'whether every volume is encrypted');
  },
  remediation: ENCRYPTION_REMEDIATION,
});
