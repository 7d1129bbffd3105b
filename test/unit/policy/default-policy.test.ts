import { describe, expect, it } from 'vitest';
import { parsePostureReport } from '../../../src/collectors/report.js';
import { DEFAULT_POLICY, DEFAULT_POLICY_DOCUMENT } from '../../../src/policy/default-policy.js';
import { evaluatePolicy } from '../../../src/policy/evaluate.js';
import { validatePolicy } from '../../../src/policy/parse-policy.js';
import type { Verdict } from '../../../src/policy/types.js';
import { makeReport } from '../../support/report.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const AFTER_GRACE = new Date(NOW.getTime() + 73 * 3_600_000);
const verdict = (verdicts: readonly Verdict[], id: string) => verdicts.find((entry) => entry.id === id)!;

describe('the built-in policy', () => {
  it('validates, with stable kebab-case rule ids, screen lock blocking and automatic updates warning', () => {
    expect(validatePolicy(DEFAULT_POLICY_DOCUMENT, '(built in)')).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY.rules.map((rule) => [rule.id, rule.check, rule.severity])).toEqual([
      ['disk-encryption', 'diskEncryption.system', 'block'],
      ['os-version', 'os.minimumVersion', 'block'],
      ['antivirus', 'antivirus.active', 'block'],
      ['firewall', 'firewall.enabled', 'warn'],
      ['screen-lock', 'screenLock.maxDelaySeconds', 'block'],
      ['os-updates', 'osUpdates.automatic', 'warn'],
    ]);
    for (const rule of DEFAULT_POLICY.rules) expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(DEFAULT_POLICY.rules.find((rule) => rule.id === 'screen-lock')!.params).toEqual({ seconds: 900 });
    expect(DEFAULT_POLICY.tiers).toEqual({
      basic: ['disk-encryption'],
      strict: ['disk-encryption', 'os-version', 'antivirus', 'firewall', 'screen-lock', 'os-updates'],
    });
    expect(DEFAULT_POLICY.gracePeriodMs).toBe(72 * 3_600_000);
  });

  it('finds a healthy device compliant for every tier', () => {
    const result = evaluatePolicy(DEFAULT_POLICY, makeReport(), { now: NOW });
    expect(result.verdicts.filter((entry) => entry.status !== 'pass')).toEqual([]);
    expect(result).toMatchObject({ status: 'compliant', earStatus: 'affirming', tiers: ['basic', 'strict'] });
  });

  it('accepts a screen lock of exactly 15 minutes and refuses a longer one', () => {
    const fifteen = evaluatePolicy(DEFAULT_POLICY, makeReport({ screenLock: { delaySeconds: 900 } }), { now: NOW });
    expect(fifteen.status).toBe('compliant');
    const twenty = evaluatePolicy(DEFAULT_POLICY, makeReport({ screenLock: { delaySeconds: 1200 } }), { now: NOW });
    expect(verdict(twenty.verdicts, 'screen-lock')).toMatchObject({ status: 'fail', reason: expect.stringContaining('at most 15 minutes') });
  });

  it('makes a device with screen lock off noncompliant for strict once the grace period is over, never for basic', () => {
    const report = makeReport({ screenLock: { status: 'disabled', delaySeconds: null, source: 'gsettings (GNOME)', user: 'ada' } });
    const first = evaluatePolicy(DEFAULT_POLICY, report, { now: NOW });
    expect(verdict(first.verdicts, 'screen-lock')).toMatchObject({ status: 'fail', blocking: false, graceDeadline: '2026-11-25T10:00:00.000Z' });
    expect(verdict(first.verdicts, 'screen-lock').remediation).toContain('Screen Lock');
    expect(first).toMatchObject({ status: 'warning', earStatus: 'warning', tiers: ['basic', 'strict'] });

    const later = evaluatePolicy(DEFAULT_POLICY, report, { now: AFTER_GRACE, failingSince: first.failingSince });
    expect(verdict(later.verdicts, 'screen-lock')).toMatchObject({ status: 'fail', blocking: true, failingSince: NOW.toISOString() });
    expect(later).toMatchObject({ status: 'noncompliant', earStatus: 'contraindicated', tiers: ['basic'] });
  });

  it('only warns when updates are not automatic', () => {
    const report = makeReport({ osUpdates: { status: 'disabled', automaticCheck: true, automaticInstall: false } });
    const result = evaluatePolicy(DEFAULT_POLICY, report, { now: AFTER_GRACE, failingSince: { 'os-updates': '2026-10-01T00:00:00.000Z' } });
    expect(verdict(result.verdicts, 'os-updates')).toMatchObject({ status: 'fail', severity: 'warn', blocking: false });
    expect(result).toMatchObject({ status: 'warning', tiers: ['basic', 'strict'] });
  });

  it('treats a report from an agent without screen lock as unknown, which blocks strict after the grace period', () => {
    const { screenLock: _lock, secureBoot: _boot, tpm: _tpm, osUpdates: _updates, ...older } = makeReport();
    const report = parsePostureReport(older)!;
    const first = evaluatePolicy(DEFAULT_POLICY, report, { now: NOW });
    expect(verdict(first.verdicts, 'screen-lock')).toMatchObject({ status: 'unknown', blocking: false });
    expect(verdict(first.verdicts, 'screen-lock').reason).toContain('update the agent');
    expect(verdict(first.verdicts, 'os-updates')).toMatchObject({ status: 'unknown', blocking: false });
    const later = evaluatePolicy(DEFAULT_POLICY, report, { now: AFTER_GRACE, failingSince: first.failingSince });
    expect(later).toMatchObject({ status: 'noncompliant', tiers: ['basic'] });
  });
});
