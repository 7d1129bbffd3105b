import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { secureBootSchema, UNKNOWN_SECURE_BOOT, type SecureBoot } from './schema.js';

export const secureBootSignal = defineSignal<'secureBoot', typeof secureBootSchema, SecureBoot>({
  name: 'secureBoot',
  title: 'Secure Boot',
  collected: 'Whether the firmware checks the signature of what it starts (UEFI Secure Boot, or a Mac\'s boot security policy).',
  schema: secureBootSchema,
  optionalInReports: true,
  unknown: () => UNKNOWN_SECURE_BOOT,
  collectors: perOsCollectors<SecureBoot>(import.meta.url, 'collectSecureBoot'),
});
