import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/policy/evaluate.js';
import { parsePolicy } from '../../../src/policy/parse-policy-text.js';
import type { Verdict } from '../../../src/policy/types.js';
import { makeReport } from '../../support/report.js';

const policy = parsePolicy(
  `
id: corp
version: 2
rules:
  - { id: disk, check: diskEncryption.system, severity: block }
  - id: os
    check: os.minimumVersion
    severity: block
    params: { win32: ["10.0.22631.4317", "10.0.26100.2033"], darwin: "14.6", linux: { ubuntu: "22.04", arch: rolling } }
  - { id: av, check: antivirus.active, severity: block, params: { maxDefinitionsAgeDays: 7 } }
  - { id: fw, check: firewall.enabled, severity: warn, remediation: { linux: "Run sudo ufw enable." } }
tiers:
  basic: [disk]
  strict: [disk, os, av, fw]
gracePeriod: 72h
`,
  'test',
);
const now = new Date('2026-11-22T10:00:00.000Z');
const verdict = (verdicts: Verdict[], id: string) => verdicts.find((entry) => entry.id === id)!;

describe('evaluatePolicy', () => {
  it('affirms a compliant device for every tier', () => {
    const result = evaluatePolicy(policy, makeReport(), { now });
    expect(result.status).toBe('compliant');
    expect(result.earStatus).toBe('affirming');
    expect(result.tiers).toEqual(['basic', 'strict']);
    expect(result.verdicts.every((entry) => entry.status === 'pass' && entry.remediation === null)).toBe(true);
    expect(result.policy).toEqual({ id: 'corp', version: 2 });
  });

  it('fails an unencrypted system disk at once, outside any grace period, when it was already failing', () => {
    const report = makeReport({
      diskEncryption: { status: 'unencrypted', volumes: [{ mount: '/', system: true, encrypted: false, method: null, state: 'not encrypted' }] },
    });
    const first = evaluatePolicy(policy, report, { now });
    expect(verdict(first.verdicts, 'disk')).toMatchObject({ status: 'fail', blocking: false, graceDeadline: '2026-11-25T10:00:00.000Z' });
    expect(first.status).toBe('warning');
    expect(first.tiers).toEqual(['basic', 'strict']);
    expect(verdict(first.verdicts, 'disk').remediation).toContain('LUKS');

    const later = new Date(now.getTime() + 73 * 3_600_000);
    const second = evaluatePolicy(policy, report, { now: later, failingSince: first.failingSince });
    expect(verdict(second.verdicts, 'disk')).toMatchObject({ status: 'fail', blocking: true, graceDeadline: null, failingSince: now.toISOString() });
    expect(second.status).toBe('noncompliant');
    expect(second.earStatus).toBe('contraindicated');
    expect(second.tiers).toEqual([]);
  });

  it('never lets unknown pass: an unreadable signal fails its rule with the reason', () => {
    const report = makeReport({
      antivirus: { status: 'unknown', products: [] },
      errors: [{ signal: 'antivirus', code: 'ERR_COMMAND_TIMEOUT', message: '/usr/bin/clamscan did not finish within 10000 ms and was stopped.' }],
    });
    const result = evaluatePolicy(policy, report, { now, failingSince: { av: '2026-11-01T00:00:00.000Z' } });
    const av = verdict(result.verdicts, 'av');
    expect(av.status).toBe('unknown');
    expect(av.blocking).toBe(true);
    expect(av.reason).toContain('clamscan did not finish');
    expect(result.tiers).toEqual(['basic']);
  });

  it('keeps warn-level rules from blocking any tier', () => {
    const report = makeReport({ firewall: { status: 'disabled', products: [{ name: 'ufw', enabled: false }] } });
    const result = evaluatePolicy(policy, report, { now });
    expect(result.status).toBe('warning');
    expect(result.tiers).toEqual(['basic', 'strict']);
    const fw = verdict(result.verdicts, 'fw');
    expect(fw).toMatchObject({ status: 'fail', blocking: false, graceDeadline: null, remediation: 'Run sudo ufw enable.' });
    expect(fw.reason).toContain('ufw');
  });

  it('judges antivirus by real-time protection and definitions age, not by presence', () => {
    const stale = makeReport({
      antivirus: { status: 'protected', products: [{ name: 'ClamAV', enabled: true, realTime: true, upToDate: true, definitionsUpdatedAt: '2026-11-01T00:00:00.000Z' }] },
    });
    expect(verdict(evaluatePolicy(policy, stale, { now }).verdicts, 'av')).toMatchObject({ status: 'fail' });
    expect(verdict(evaluatePolicy(policy, stale, { now }).verdicts, 'av').reason).toContain('21 days old');

    const passive = makeReport({
      os: { platform: 'win32', id: 'windows', name: 'Windows 11 Pro', version: '10.0.26100', build: '10.0.26100.4000' },
      antivirus: {
        status: 'protected',
        products: [
          { name: 'Windows Defender', enabled: true, realTime: false, upToDate: true, definitionsUpdatedAt: null, state: 'Passive Mode' },
          { name: 'Bitdefender Antivirus', enabled: true, realTime: true, upToDate: true, definitionsUpdatedAt: null },
        ],
      },
    });
    expect(verdict(evaluatePolicy(policy, passive, { now }).verdicts, 'av')).toMatchObject({ status: 'pass' });

    const none = makeReport({ antivirus: { status: 'unprotected', products: [] } });
    expect(verdict(evaluatePolicy(policy, none, { now }).verdicts, 'av')).toMatchObject({ status: 'fail', reason: 'No antivirus product was found.' });
  });

  it('compares OS versions in each scheme and refuses unapproved platforms', () => {
    const os = (overrides: Parameters<typeof makeReport>[0]) => verdict(evaluatePolicy(policy, makeReport(overrides), { now }).verdicts, 'os');
    expect(os({ os: { platform: 'win32', id: 'windows', version: '10.0.22631', build: '10.0.22631.4460' } }).status).toBe('pass');
    expect(os({ os: { platform: 'win32', id: 'windows', version: '10.0.22631', build: '10.0.22631.4000' } }).status).toBe('fail');
    expect(os({ os: { platform: 'darwin', id: 'macos', name: 'macOS', version: '14.6.1', build: '23G93', displayVersion: null } }).status).toBe('pass');
    expect(os({ os: { platform: 'darwin', id: 'macos', name: 'macOS', version: '14.5', displayVersion: '(a)' } }).status).toBe('fail');
    expect(os({ os: { id: 'arch', name: 'Arch Linux', version: null, build: 'rolling' } }).status).toBe('pass');
    expect(os({ os: { id: 'ubuntu', version: '20.04.6' } }).status).toBe('fail');
    const unlisted = os({ os: { id: 'gentoo', name: 'Gentoo', version: '2.17' } });
    expect(unlisted).toMatchObject({ status: 'fail' });
    expect(unlisted.reason).toContain('not a distribution this policy approves');
    expect(os({ os: { id: 'ubuntu', version: null } }).status).toBe('unknown');
  });
});
