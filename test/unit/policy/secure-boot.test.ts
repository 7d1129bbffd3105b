import { describe, expect, it } from 'vitest';
import { makeReport } from '../../support/report.js';
import { refusalOf, verdictOf } from './check-harness.js';

const CHECK = 'secureBoot.enabled';
type SecureBoot = NonNullable<Parameters<typeof makeReport>[0]>['secureBoot'];
const report = (secureBoot: SecureBoot, platform: 'linux' | 'win32' | 'darwin' = 'linux', errors: ReturnType<typeof makeReport>['errors'] = []) =>
  makeReport({ os: { platform }, secureBoot, errors });

describe('secureBoot.enabled', () => {
  it('passes when the firmware enforces Secure Boot, saying where that was read', () => {
    const verdict = verdictOf(CHECK, undefined, report({}));
    expect(verdict).toMatchObject({ status: 'pass', reason: 'Secure Boot is on (SecureBoot 1, SetupMode 0, from efivarfs).', remediation: null });
    const mac = verdictOf(CHECK, undefined, report({ status: 'enabled', setupMode: null, detail: 'Full Security', source: 'system_profiler' }, 'darwin'));
    expect(mac.reason).toBe('Secure Boot is on (Full Security, from system_profiler).');
  });

  it('fails when it is off, and says when the firmware is in Setup Mode', () => {
    const off = verdictOf(CHECK, {}, report({ status: 'disabled', setupMode: false, detail: 'UEFISecureBootEnabled 0', source: 'registry' }, 'win32'));
    expect(off).toMatchObject({ status: 'fail', reason: 'Secure Boot is off (UEFISecureBootEnabled 0, from registry).' });
    expect(off.remediation).toContain('UEFI Firmware Settings');
    const setup = verdictOf(CHECK, undefined, report({ status: 'disabled', setupMode: true, detail: 'SecureBoot 0, SetupMode 1', source: 'efivarfs' }));
    expect(setup.reason).toBe('Secure Boot is off: the firmware is in Setup Mode (no platform key enrolled), so nothing is verified (SecureBoot 0, SetupMode 1, from efivarfs).');
    expect(setup.remediation).toContain('mokutil --enable-validation');
  });

  it('fails firmware that cannot do Secure Boot, unless the policy allows it', () => {
    const legacy = report({ status: 'unsupported', setupMode: null, detail: 'legacy BIOS boot (no /sys/firmware/efi)', source: 'sysfs' });
    const refused = verdictOf(CHECK, undefined, legacy);
    expect(refused.status).toBe('fail');
    expect(refused.reason).toBe("This device's firmware cannot do Secure Boot: it starts in legacy BIOS mode or has no secure boot chip (legacy BIOS boot (no /sys/firmware/efi), from sysfs).");
    expect(verdictOf(CHECK, { allowUnsupported: false }, legacy).status).toBe('fail');
    const allowed = verdictOf(CHECK, { allowUnsupported: true }, legacy);
    expect(allowed.status).toBe('pass');
    expect(allowed.reason).toContain('which this policy accepts');
    // allowUnsupported never excuses a firmware that could verify but does not.
    expect(verdictOf(CHECK, { allowUnsupported: true }, report({ status: 'disabled' })).status).toBe('fail');
    const oldMac = verdictOf(CHECK, undefined, report({ status: 'unsupported', setupMode: null, detail: null, source: null }, 'darwin'));
    expect(oldMac.reason).toBe("This device's firmware cannot do Secure Boot: it starts in legacy BIOS mode or has no secure boot chip.");
    expect(oldMac.remediation).toContain('without a T2 chip');
  });

  it('is unknown, never pass, when it could not be read, with the reason', () => {
    const errors = [{ signal: 'secureBoot' as const, code: 'ERR_ACCESS_DENIED' as const, message: 'Confirm-SecureBootUEFI needs administrator rights.' }];
    const verdict = verdictOf(CHECK, { allowUnsupported: true }, report({ status: 'unknown', setupMode: null, detail: null, source: null }, 'win32', errors));
    expect(verdict).toMatchObject({ status: 'unknown', blocking: true });
    expect(verdict.reason).toBe('Could not determine whether Secure Boot is on: Confirm-SecureBootUEFI needs administrator rights.');
  });

  it('refuses bad parameters with their path', () => {
    expect(refusalOf('{ id: sb, check: secureBoot.enabled, severity: block, params: { allowUnsupported: "yes" } }')).toContain('rules[0].params.allowUnsupported');
    expect(refusalOf('{ id: sb, check: secureBoot.enabled, severity: block, params: { allowLegacy: true } }')).toMatch(/rules\[0\]\.params: Unrecognized key.*allowLegacy/);
  });
});
