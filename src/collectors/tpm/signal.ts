import { lazyCollector } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { tpmSchema, UNKNOWN_TPM, type Tpm } from './schema.js';

export const tpmSignal = defineSignal<'tpm', typeof tpmSchema, Tpm>({
  name: 'tpm',
  title: 'Security chip',
  collected: 'Whether the device has a TPM or Secure Enclave, its version, maker and whether it is ready: the hardware that keeps keys off the disk.',
  schema: tpmSchema,
  optionalInReports: true,
  unknown: () => UNKNOWN_TPM,
  collectors: {
    win32: lazyCollector<Tpm>(import.meta.url, './win32.js', 'collectTpmWin32'),
    darwin: lazyCollector<Tpm>(import.meta.url, './darwin.js', 'collectTpmDarwin'),
    linux: lazyCollector<Tpm>(import.meta.url, './linux.js', 'collectTpmLinux'),
  },
});
