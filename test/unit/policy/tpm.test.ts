import { describe, expect, it } from 'vitest';
import { makeReport } from '../../support/report.js';
import { refusalOf, verdictOf } from './check-harness.js';

const CHECK = 'tpm.present';
type Tpm = NonNullable<Parameters<typeof makeReport>[0]>['tpm'];
const report = (tpm: Tpm, platform: 'linux' | 'win32' | 'darwin' = 'linux', errors: ReturnType<typeof makeReport>['errors'] = []) =>
  makeReport({ os: { platform }, tpm, errors });

const TPM12: Tpm = { status: 'present', kind: 'tpm', specVersion: '1.2', manufacturer: 'Atmel', enabled: true, ready: true, source: 'Get-Tpm' };
const ENCLAVE: Tpm = { status: 'present', kind: 'secure-enclave', specVersion: null, manufacturer: 'Apple', enabled: null, ready: null, source: 'sysctl hw.optional.arm64' };

describe('tpm.present', () => {
  it('passes a TPM, naming its version and maker', () => {
    expect(verdictOf(CHECK, undefined, report({}))).toMatchObject({ status: 'pass', reason: 'Found: TPM 2.0 (Infineon).' });
    expect(verdictOf(CHECK, { minimumVersion: '2.0' }, report({}))).toMatchObject({ status: 'pass', reason: 'Found: TPM 2.0 (Infineon) (TPM 2.0 or later needed).' });
    expect(verdictOf(CHECK, {}, report(TPM12, 'win32'))).toMatchObject({ status: 'pass', reason: 'Found: TPM 1.2 (Atmel).' });
    expect(verdictOf(CHECK, { minimumVersion: '1.2' }, report(TPM12, 'win32')).status).toBe('pass');
  });

  it('says when a present TPM is turned off or not ready, without failing presence', () => {
    expect(verdictOf(CHECK, undefined, report({ enabled: false }, 'win32')).reason).toBe('Found: TPM 2.0 (Infineon), turned off.');
    expect(verdictOf(CHECK, undefined, report({ enabled: true, ready: false }, 'win32')).reason).toBe('Found: TPM 2.0 (Infineon), not ready for use.');
  });

  it('fails a device without one', () => {
    const verdict = verdictOf(CHECK, undefined, report({ status: 'absent', kind: null, specVersion: null, manufacturer: null, source: '/sys/class/tpm' }));
    expect(verdict).toMatchObject({ status: 'fail', reason: 'This device has no TPM or Secure Enclave that the operating system can see.' });
    expect(verdict.remediation).toContain('systemctl reboot --firmware-setup');
    const mac = verdictOf(CHECK, undefined, report({ status: 'absent', kind: null, specVersion: null, manufacturer: null }, 'darwin'));
    expect(mac.remediation).toContain('T1 or T2');
  });

  it('fails a TPM 1.2 when the policy needs 2.0', () => {
    const verdict = verdictOf(CHECK, { minimumVersion: '2.0' }, report(TPM12, 'win32'));
    expect(verdict).toMatchObject({ status: 'fail', reason: 'Found TPM 1.2 (Atmel); this policy needs TPM 2.0 or later.' });
    expect(verdict.remediation).toContain('Security processor');
  });

  it('counts a Secure Enclave as present, whatever TPM version the policy asks for', () => {
    expect(verdictOf(CHECK, undefined, report(ENCLAVE, 'darwin'))).toMatchObject({ status: 'pass', reason: 'Found: Secure Enclave (Apple).' });
    expect(verdictOf(CHECK, { minimumVersion: '2.0' }, report(ENCLAVE, 'darwin')).status).toBe('pass');
  });

  it('is unknown, never pass, when presence or the needed version could not be read', () => {
    const errors = [{ signal: 'tpm' as const, code: 'ERR_ACCESS_DENIED' as const, message: 'Get-Tpm needs administrator rights.' }];
    const unread = verdictOf(CHECK, undefined, report({ status: 'unknown', kind: null, specVersion: null, manufacturer: null }, 'win32', errors));
    expect(unread).toMatchObject({ status: 'unknown', reason: 'Could not determine whether this device has a TPM: Get-Tpm needs administrator rights.' });
    const noVersion = report({ specVersion: null, manufacturer: null }, 'linux', [{ signal: 'tpm', code: 'ERR_PARSE', message: 'tpm_version_major held "x".' }]);
    expect(verdictOf(CHECK, undefined, noVersion)).toMatchObject({ status: 'pass', reason: 'Found: TPM.' });
    expect(verdictOf(CHECK, { minimumVersion: '2.0' }, noVersion)).toMatchObject({
      status: 'unknown',
      reason: 'Could not determine the version of the TPM found (this policy needs TPM 2.0 or later): tpm_version_major held "x".',
    });
  });

  it('refuses bad parameters with their path', () => {
    expect(refusalOf('{ id: tpm, check: tpm.present, severity: block, params: { minimumVersion: 2 } }')).toContain('rules[0].params.minimumVersion');
    expect(refusalOf('{ id: tpm, check: tpm.present, severity: block, params: { minimumVersion: "3.0" } }')).toContain('rules[0].params.minimumVersion');
    expect(refusalOf('{ id: tpm, check: tpm.present, severity: block, params: { version: "2.0" } }')).toMatch(/rules\[0\]\.params: Unrecognized key.*version/);
  });
});
