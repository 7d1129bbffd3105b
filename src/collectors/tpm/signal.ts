import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { UNKNOWN_TPM, type Tpm } from './schema.js';

export const tpmSignal = defineSignal<'tpm', Tpm>({
  name: 'tpm',
  title: 'Security chip',
  collected: 'Whether the device has a TPM or Secure Enclave, its version, maker and whether it is ready: the hardware that keeps keys off the disk.',
  optionalInReports: true,
  unknown: () => UNKNOWN_TPM,
  collectors: perOsCollectors<Tpm>(import.meta.url, 'collectTpm'),
});
