import { describe, expect, it } from 'vitest';
import type { EncryptedVolume } from '../../../src/collectors/disk-encryption/schema.js';
import { collectPosture } from '../../../src/collectors/index.js';
import { DEFAULT_POLICY } from '../../../src/policy/default-policy.js';
import { evaluatePolicy } from '../../../src/policy/evaluate.js';
import { printed, windowsHost } from '../../fixtures/win32/windows-host.js';
import { makeReport } from '../../support/report.js';
import { NOW, verdictOf } from './check-harness.js';

const SYSTEM = 'diskEncryption.system';
const ALL = 'diskEncryption.allVolumes';

const volume = (fields: Partial<EncryptedVolume>): EncryptedVolume => ({
  mount: 'C:', system: true, encrypted: true, method: 'BitLocker XTS-AES 128', state: 'Fully encrypted, protection on', percentEncrypted: 100, conversion: null, protection: 'on', ...fields,
});
const report = (volumes: EncryptedVolume[], platform: 'win32' | 'darwin' | 'linux' = 'win32') =>
  makeReport({ os: { platform }, diskEncryption: { status: 'encrypted', volumes } });
const ENCRYPTING_C = volume({ encrypted: false, state: 'Encryption in progress 45%', percentEncrypted: 45, conversion: 'encrypting', protection: 'off' });

describe('diskEncryption.system', () => {
  it('fails a system volume being encrypted, naming the percentage and that access returns when it finishes', () => {
    const verdict = verdictOf(SYSTEM, undefined, report([ENCRYPTING_C]));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe('Encryption in progress: 45%; access returns when it finishes. Keep the laptop on power (and awake) until then.');
    expect(verdict.remediation).toContain('keep the laptop on power');
  });

  it('says when the source gives no percentage (a standard user on Windows, FileVault pending)', () => {
    const verdict = verdictOf(SYSTEM, undefined, report([volume({ mount: '/', method: 'FileVault', encrypted: false, percentEncrypted: null, conversion: 'encrypting' })], 'darwin'));
    expect(verdict.reason).toMatch(/^Encryption in progress: percentage not reported; access returns when it finishes\./);
    expect(verdict.remediation).toContain('on power');
  });

  it('fails a system volume being decrypted', () => {
    const verdict = verdictOf(SYSTEM, undefined, report([volume({ encrypted: false, state: 'Decryption in progress 30%', percentEncrypted: 30, conversion: 'decrypting' })]));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe('Not encrypted and protected: C: — being decrypted (30% still encrypted).');
  });

  it('still passes an encrypted and protected system volume and fails a plain unencrypted one as before', () => {
    expect(verdictOf(SYSTEM, undefined, report([volume({})])).status).toBe('pass');
    const plain = verdictOf(SYSTEM, undefined, report([volume({ encrypted: false, state: 'Fully decrypted', percentEncrypted: 0, protection: 'off' })]));
    expect(plain).toMatchObject({ status: 'fail', reason: 'Not encrypted and protected: C: — BitLocker XTS-AES 128, Fully decrypted.' });
  });

  it('judges the structured conversion, not the words of `state`', () => {
    const worded = verdictOf(SYSTEM, undefined, report([volume({ encrypted: false, state: 'Encryption in progress 45%', conversion: null, percentEncrypted: 45 })]));
    expect(worded.reason).toBe('Not encrypted and protected: C: — BitLocker XTS-AES 128, Encryption in progress 45%.');
  });
});

describe('diskEncryption.allVolumes', () => {
  it('names every volume still being encrypted', () => {
    const verdict = verdictOf(ALL, undefined, report([ENCRYPTING_C, volume({ mount: 'D:', system: false, encrypted: false, percentEncrypted: 10, conversion: 'encrypting' })]));
    expect(verdict.reason).toBe('Encryption in progress: C: 45%, D: 10%; access returns when it finishes. Keep the laptop on power (and awake) until then.');
  });

  it('lists a volume being encrypted among the other failures', () => {
    const verdict = verdictOf(ALL, undefined, report([ENCRYPTING_C, volume({ mount: 'D:', system: false, encrypted: false, state: 'Fully decrypted', percentEncrypted: 0 })]));
    expect(verdict.reason).toBe('Not encrypted and protected: C: — encryption in progress (45%); D: — BitLocker XTS-AES 128, Fully decrypted.');
  });
});

describe('diskEncryption.system end to end on Windows (collector -> report -> built-in policy)', () => {
  it('reports manage-bde\'s localised "Verschlüsselung wird durchgeführt" as encrypting and fails with the percentage', async () => {
    const host = windowsHost({ diskProbe: undefined, manageBde: printed('manage-bde-status', 'w1-03-german-in-progress-at-100') });
    const posture = await collectPosture(host, { now: NOW });
    expect(posture.diskEncryption).toMatchObject({ status: 'encrypting', percentEncrypted: 100 });
    const verdict = evaluatePolicy(DEFAULT_POLICY, posture, { now: NOW }).verdicts.find((candidate) => candidate.id === 'disk-encryption')!;
    expect(verdict).toMatchObject({ status: 'fail', reason: 'Encryption in progress: 100%; access returns when it finishes. Keep the laptop on power (and awake) until then.' });
  });
});
