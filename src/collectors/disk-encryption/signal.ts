import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { UNKNOWN_DISK_ENCRYPTION, type DiskEncryption } from './schema.js';

export const diskEncryptionSignal = defineSignal<'diskEncryption', DiskEncryption>({
  name: 'diskEncryption',
  title: 'Disk encryption',
  collected: 'Whether each internal volume is encrypted and protected (BitLocker, FileVault or LUKS), and how, so a lost laptop does not give away its data.',
  optionalInReports: false,
  unknown: () => UNKNOWN_DISK_ENCRYPTION,
  collectors: perOsCollectors<DiskEncryption>(import.meta.url, 'collectDiskEncryption'),
});
