/**
 * The diskEncryption probe's document (windows/disk-encryption-script.ts):
 * - `systemDrive`: %SystemDrive%, the volume Windows runs from.
 * - `fixedVolumes`: each fixed volume with the shell property System.Volume.BitLockerProtection,
 *   readable by a standard user. Its values are not documented by Microsoft; Windows' own Explorer
 *   verbs name them (HKCR\Drive\shell\*-bde AppliesTo: `manage-bde` for #On, #Encrypting and
 *   #Suspended, written numerically as 1, 3 and 5 by the bde-lock tool's registry docs; `unlock-bde`
 *   for 6; the Windows 7 encrypt verb for 2 (learn.microsoft.com "Creating context menu handlers"));
 *   4 (decrypting) and 8 (waiting for activation) are known from community scripts only (see
 *   test/fixtures/win32/README.md). Any other value is unknown.
 * - `bitLocker`: Get-BitLockerVolume (administrators only), enums as numbers: VolumeStatus
 *   0 FullyDecrypted, 1 FullyEncrypted, 2 EncryptionInProgress, 3 DecryptionInProgress,
 *   4 EncryptionPaused, 5 DecryptionPaused; ProtectionStatus 0 Off, 1 On, 2 Unknown; LockStatus
 *   0 Unlocked, 1 Locked; VolumeType 0 OperatingSystem; EncryptionMethod 0 None ... 7 XtsAes256
 *   (Win32_EncryptableVolume docs, learn.microsoft.com/windows/win32/secprov; W2 notes).
 * A volume read by Get-BitLockerVolume is described from it; otherwise from the shell property.
 */
import { AgentError } from '../../shared/errors.js';
import {
  numberField,
  parsePowerShellDocument,
  readSection,
  sourceStatus,
  stringField,
  type JsonRecord,
  type SourceStatus,
} from '../windows/parse-powershell-document.js';
import {
  conversionOf,
  isEncrypted,
  isWaitingForActivation,
  normalizeMount,
  protectionOf,
  WAITING_FOR_ACTIVATION,
  type Conversion,
  type Protection,
  type VolumeConversion,
} from '../windows/bitlocker-volume.js';
import type { EncryptedVolume } from './schema.js';

const DISK_ENCRYPTION_PROBE = 'diskEncryption';

export interface DiskEncryptionReading {
  systemDrive: string | null;
  volumes: EncryptedVolume[];
  fixedVolumes: SourceStatus;
  bitLocker: SourceStatus;
}

interface ShellMeaning {
  encrypted: boolean | null;
  protection: Protection;
  conversion: VolumeConversion | null;
  state: string;
  bitLocker: boolean;
}

const SHELL_VALUES: Readonly<Record<number, ShellMeaning>> = {
  1: { encrypted: true, protection: 'on', conversion: null, state: 'BitLocker on', bitLocker: true },
  2: { encrypted: false, protection: 'off', conversion: null, state: 'BitLocker off', bitLocker: false },
  3: { encrypted: false, protection: 'unknown', conversion: 'encrypting', state: 'Encryption in progress', bitLocker: true },
  4: { encrypted: false, protection: 'unknown', conversion: 'decrypting', state: 'Decryption in progress', bitLocker: true },
  5: { encrypted: false, protection: 'suspended', conversion: null, state: 'BitLocker protection suspended', bitLocker: true },
  6: { encrypted: null, protection: 'on', conversion: null, state: 'BitLocker on, locked', bitLocker: true },
  8: { encrypted: false, protection: 'off', conversion: null, state: `BitLocker ${WAITING_FOR_ACTIVATION}`, bitLocker: true },
};

const CONVERSIONS: readonly Conversion[] = [
  'fully-decrypted', 'fully-encrypted', 'encryption-in-progress', 'decryption-in-progress', 'encryption-paused', 'decryption-paused',
];
const CONVERSION_TEXT: Readonly<Record<Conversion, string>> = {
  'fully-decrypted': 'Fully decrypted',
  'fully-encrypted': 'Fully encrypted',
  'used-space-only-encrypted': 'Used space only encrypted',
  'encryption-in-progress': 'Encryption in progress',
  'decryption-in-progress': 'Decryption in progress',
  'encryption-paused': 'Encryption paused',
  'decryption-paused': 'Decryption paused',
};
const ENCRYPTION_METHODS: readonly (string | null)[] = [
  null, 'AES 128 with Diffuser', 'AES 256 with Diffuser', 'AES 128', 'AES 256', 'Hardware Encryption', 'XTS-AES 128', 'XTS-AES 256',
];
const OPERATING_SYSTEM_VOLUME = 0;
const PROTECTION_ON = 1;
const PROTECTION_OFF = 0;
const LOCKED = 1;

interface FixedVolume {
  drive: string;
  protection: number | null;
}

interface BitLockerRecord {
  mount: string;
  volumeType: number | null;
  volumeStatus: number | null;
  protectionStatus: number | null;
  lockStatus: number | null;
  percentage: number | null;
  method: number | null;
  keyProtectors: number | null;
}

function requiredString(item: JsonRecord, key: string): string {
  const value = stringField(item, key);
  if (value === null || value.trim() === '') throw new AgentError('ERR_PARSE', `A volume in the BitLocker probe has no ${key}.`);
  return value;
}

function fixedVolume(item: JsonRecord): FixedVolume {
  return { drive: normalizeMount(requiredString(item, 'drive')), protection: numberField(item, 'protection') };
}

function bitLockerRecord(item: JsonRecord): BitLockerRecord {
  const protectors = item.keyProtectorTypes;
  return {
    mount: normalizeMount(requiredString(item, 'mountPoint')),
    volumeType: numberField(item, 'volumeType'),
    volumeStatus: numberField(item, 'volumeStatus'),
    protectionStatus: numberField(item, 'protectionStatus'),
    lockStatus: numberField(item, 'lockStatus'),
    percentage: numberField(item, 'encryptionPercentage'),
    method: numberField(item, 'encryptionMethod'),
    keyProtectors: Array.isArray(protectors) ? protectors.length : null,
  };
}

function fromShell(volume: FixedVolume, system: boolean): EncryptedVolume {
  const meaning = volume.protection === null ? undefined : SHELL_VALUES[volume.protection];
  const state = volume.protection === null ? 'BitLocker state not reported' : `Unknown BitLocker state (${volume.protection})`;
  return {
    mount: volume.drive,
    system,
    encrypted: meaning?.encrypted ?? null,
    method: meaning?.bitLocker ? 'BitLocker' : null,
    state: meaning?.state ?? state,
    percentEncrypted: null,
    conversion: meaning?.conversion ?? null,
    protection: meaning?.protection ?? 'unknown',
  };
}

function bitLockerState(conversion: Conversion | null, record: BitLockerRecord, protection: Protection): string {
  if (record.lockStatus === LOCKED) return 'Locked';
  if (conversion === null) return `Unknown BitLocker volume status (${record.volumeStatus ?? 'none'})`;
  if (conversion === 'fully-decrypted') return CONVERSION_TEXT[conversion];
  if (conversion !== 'fully-encrypted') return `${CONVERSION_TEXT[conversion]} ${record.percentage ?? '?'}%`;
  if (isWaitingForActivation(conversion, protection, record.keyProtectors)) return `Fully encrypted, ${WAITING_FOR_ACTIVATION}`;
  return `Fully encrypted, protection ${protection}`;
}

function fromBitLocker(record: BitLockerRecord, system: boolean): EncryptedVolume {
  const conversion = record.volumeStatus === null ? null : (CONVERSIONS[record.volumeStatus] ?? null);
  const on = record.protectionStatus === PROTECTION_ON ? true : record.protectionStatus === PROTECTION_OFF ? false : null;
  const protection = protectionOf(on, conversion, record.keyProtectors);
  const method = record.method === null ? null : (ENCRYPTION_METHODS[record.method] ?? null);
  return {
    mount: record.mount,
    system,
    encrypted: isEncrypted(conversion, protection, record.lockStatus === null ? null : record.lockStatus === LOCKED),
    method: method === null ? null : `BitLocker ${method}`,
    state: bitLockerState(conversion, record, protection),
    percentEncrypted: record.percentage,
    conversion: conversionOf(conversion),
    protection,
  };
}

export function parseBitLockerJson(text: string): DiskEncryptionReading {
  const document = parsePowerShellDocument(text, DISK_ENCRYPTION_PROBE);
  const rawSystemDrive = stringField(document, 'systemDrive');
  const systemDrive = rawSystemDrive !== null && /^[A-Za-z]:\\?$/.test(rawSystemDrive.trim()) ? normalizeMount(rawSystemDrive) : null;
  const fixed = readSection(document, 'fixedVolumes', fixedVolume);
  const bitLocker = readSection(document, 'bitLocker', bitLockerRecord);
  const records = bitLocker.ok ? bitLocker.items : [];
  // The fixed volumes decide which volumes count; without them, every volume BitLocker lists.
  const mounts = fixed.ok ? fixed.items.map((volume) => volume.drive) : records.map((record) => record.mount);
  const isSystem = (mount: string, record?: BitLockerRecord): boolean =>
    systemDrive !== null ? mount === systemDrive : record?.volumeType === OPERATING_SYSTEM_VOLUME;
  const volumes = [...new Set(mounts)].flatMap((mount): EncryptedVolume[] => {
    const record = records.find((candidate) => candidate.mount === mount);
    if (record) return [fromBitLocker(record, isSystem(mount, record))];
    const shell = fixed.ok ? fixed.items.find((volume) => volume.drive === mount) : undefined;
    return shell ? [fromShell(shell, isSystem(mount))] : [];
  });
  return { systemDrive, volumes, fixedVolumes: sourceStatus(fixed), bitLocker: sourceStatus(bitLocker) };
}
