import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { UNKNOWN_SECURE_BOOT, type SecureBoot } from './schema.js';

export const secureBootSignal = defineSignal<'secureBoot', SecureBoot>({
  name: 'secureBoot',
  title: 'Secure Boot',
  collected: 'Whether the firmware checks the signature of what it starts (UEFI Secure Boot, or a Mac\'s boot security policy).',
  optionalInReports: true,
  unknown: () => UNKNOWN_SECURE_BOOT,
  collectors: perOsCollectors<SecureBoot>(import.meta.url, 'collectSecureBoot'),
});
