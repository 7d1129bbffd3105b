import { z } from 'zod';
import type { EncryptedVolume, PostureReport } from '../../shared/report.js';
import type { CheckOutcome } from '../types.js';
import { defineCheck, unknownOutcome } from './check.js';

const noParams = z.strictObject({}).optional();

function describe(volume: EncryptedVolume): string {
  const detail = [volume.method, volume.state].filter((part): part is string => Boolean(part)).join(', ');
  return detail ? `${volume.mount} — ${detail}` : volume.mount;
}

function judgeVolumes(volumes: readonly EncryptedVolume[], report: PostureReport, what: string): CheckOutcome {
  if (volumes.length === 0) return unknownOutcome(report, 'diskEncryption', what);
  const unprotected = volumes.filter((volume) => volume.encrypted === false);
  if (unprotected.length > 0) {
    return { status: 'fail', reason: `Not encrypted and protected: ${unprotected.map(describe).join('; ')}.` };
  }
  const unknown = volumes.filter((volume) => volume.encrypted !== true);
  if (unknown.length > 0) return unknownOutcome(report, 'diskEncryption', `whether ${unknown.map((v) => v.mount).join(', ')} is encrypted`);
  return { status: 'pass', reason: `Encrypted: ${volumes.map(describe).join('; ')}.` };
}

const ENCRYPTION_REMEDIATION = {
  win32: 'Turn on BitLocker for the system drive: Settings > Privacy & security > Device encryption (or Control Panel > BitLocker Drive Encryption), and let it finish. If it says "waiting for activation" or "suspended", resume protection.',
  darwin: 'Turn on FileVault: System Settings > Privacy & Security > FileVault, and let encryption finish while the Mac is on power.',
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
