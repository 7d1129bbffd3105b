import type { SecureBoot } from '../../collectors/secure-boot/schema.js';
import { defineCheck, unknownOutcome, type Zod } from './check.js';

const params = (z: Zod) =>
  z
    .strictObject({
      /** Accept devices that have no Secure Boot to turn on (legacy BIOS, an Intel Mac without a T2 chip). */
      allowUnsupported: z.boolean().optional(),
    })
    .optional();

function found(secureBoot: SecureBoot): string {
  const parts = [secureBoot.detail, secureBoot.source].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? ` (${parts.join(', from ')})` : '';
}

export const secureBootEnabled = defineCheck({
  type: 'secureBoot.enabled',
  title: 'The firmware only starts a signed operating system (Secure Boot)',
  signal: 'secureBoot',
  params,
  evaluate(report, checkParams) {
    const secureBoot = report.secureBoot;
    switch (secureBoot.status) {
      case 'enabled':
        return { status: 'pass', reason: `Secure Boot is on${found(secureBoot)}.` };
      case 'disabled': {
        const setup = secureBoot.setupMode === true ? ': the firmware is in Setup Mode (no platform key enrolled), so nothing is verified' : '';
        return { status: 'fail', reason: `Secure Boot is off${setup}${found(secureBoot)}.` };
      }
      case 'unsupported':
        if (checkParams?.allowUnsupported === true) {
          return { status: 'pass', reason: `This device's firmware cannot do Secure Boot (legacy BIOS boot or no secure boot chip)${found(secureBoot)}, which this policy accepts.` };
        }
        return {
          status: 'fail',
          reason: `This device's firmware cannot do Secure Boot: it starts in legacy BIOS mode or has no secure boot chip${found(secureBoot)}.`,
        };
      default:
        return unknownOutcome(report, 'secureBoot', 'whether Secure Boot is on');
    }
  },
  remediation: {
    win32:
      'Turn on Secure Boot in the firmware: Settings > System > Recovery > Advanced startup > Restart now, then Troubleshoot > Advanced options > UEFI Firmware Settings > Restart; enable Secure Boot (often under Security or Boot), save and exit. Have your BitLocker recovery key at hand. If there is no such option or Windows starts in legacy BIOS mode, ask IT.',
    darwin:
      'Set the Mac to Full Security. Apple silicon: shut down, press and hold the power button until "Loading startup options" appears, choose Options > Continue, then Utilities > Startup Security Utility > Full Security. Intel Mac with a T2 chip: restart holding Command-R, then Utilities > Startup Security Utility > Full Security. A Mac without a T2 chip cannot do this: ask IT.',
    linux:
      'Turn on Secure Boot in the firmware setup: run "sudo systemctl reboot --firmware-setup" (or press F2, F10, F12 or Del while the device starts), enable Secure Boot, save and exit. If "mokutil --sb-state" then says validation is disabled, run "sudo mokutil --enable-validation" and confirm at the next start. A system installed in legacy BIOS mode must be reinstalled in UEFI mode: ask IT.',
  },
});
