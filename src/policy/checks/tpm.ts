import { TPM_SPEC_VERSIONS, type Tpm } from '../../collectors/tpm/schema.js';
import { defineCheck, unknownOutcome, type Zod } from './check.js';

const params = (z: Zod) =>
  z
    .strictObject({
      /** The oldest TPM specification accepted: '2.0' refuses a TPM 1.2. A Secure Enclave has no TPM version and passes. */
      minimumVersion: z.enum(TPM_SPEC_VERSIONS).optional(),
    })
    .optional();

/** `TPM 2.0 (Infineon)`, `Secure Enclave (Apple)`, `TPM`. */
function describe(tpm: Tpm): string {
  const name = tpm.kind === 'secure-enclave' ? 'Secure Enclave' : `TPM${tpm.specVersion ? ` ${tpm.specVersion}` : ''}`;
  return tpm.manufacturer ? `${name} (${tpm.manufacturer})` : name;
}

/** What the OS says of its state, when it says something worth knowing. */
function state(tpm: Tpm): string {
  if (tpm.enabled === false) return ', turned off';
  if (tpm.ready === false) return ', not ready for use';
  return '';
}

export const tpmPresent = defineCheck({
  type: 'tpm.present',
  title: 'The device has a security chip (TPM or Secure Enclave)',
  signal: 'tpm',
  params,
  evaluate(report, checkParams) {
    const tpm = report.tpm;
    if (tpm.status === 'absent') return { status: 'fail', reason: 'This device has no TPM or Secure Enclave that the operating system can see.' };
    if (tpm.status !== 'present') return unknownOutcome(report, 'tpm', 'whether this device has a TPM');
    const minimum = checkParams?.minimumVersion;
    const found = `${describe(tpm)}${state(tpm)}`;
    if (minimum === undefined || tpm.kind === 'secure-enclave') return { status: 'pass', reason: `Found: ${found}.` };
    if (tpm.specVersion === null) {
      return unknownOutcome(report, 'tpm', `the version of the TPM found (this policy needs TPM ${minimum} or later)`);
    }
    if (TPM_SPEC_VERSIONS.indexOf(tpm.specVersion) < TPM_SPEC_VERSIONS.indexOf(minimum)) {
      return { status: 'fail', reason: `Found ${found}; this policy needs TPM ${minimum} or later.` };
    }
    return { status: 'pass', reason: `Found: ${found} (TPM ${minimum} or later needed).` };
  },
  remediation: {
    win32:
      'Turn on the TPM in the firmware: Settings > System > Recovery > Advanced startup > Restart now, then Troubleshoot > Advanced options > UEFI Firmware Settings > Restart; enable "TPM", "Intel PTT" or "AMD fTPM" (often under Security), save and exit. Windows Security > Device security > Security processor then shows it. If the device has none, or only TPM 1.2, ask IT.',
    darwin: 'This Mac has no Secure Enclave (an Intel Mac without a T1 or T2 chip) and cannot get one: ask IT about replacing it.',
    linux:
      'Turn on the TPM in the firmware setup: run "sudo systemctl reboot --firmware-setup" (or press F2, F10, F12 or Del while the device starts), enable "TPM", "Intel PTT" or "AMD fTPM" (often under Security), save and exit. If the device has none, or only TPM 1.2, ask IT.',
  },
});
