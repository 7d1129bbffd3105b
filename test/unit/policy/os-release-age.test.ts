import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/policy/evaluate.js';
import { parsePolicy } from '../../../src/policy/parse-policy-text.js';
import { makeReport } from '../../support/report.js';
import { refusalOf, verdictOf } from './check-harness.js';

const CHECK = 'os.maxDaysBehind';
/** The evaluation time of these tests (15.3 in the table is not out yet). */
const NOW = new Date('2025-01-20T12:00:00.000Z');

const RELEASES = {
  darwin: { '15.0': '2024-09-16', '15.1': '2024-10-28', '15.2': '2024-12-11', '15.3': '2025-01-27' },
  win32: { '10.0.26100.2605': '2024-12-10', '10.0.26100.2894': '2025-01-14' },
  linux: { ubuntu: { '24.04': '2024-04-25', '24.10': '2024-10-10' } },
};

type Os = NonNullable<Parameters<typeof makeReport>[0]>['os'];
const mac = (version: string, displayVersion: string | null = null): Os => ({ platform: 'darwin', id: 'macos', name: 'macOS', version, build: null, displayVersion });
const windows = (build: string | null): Os => ({ platform: 'win32', id: 'windows', name: 'Windows 11 Pro', version: '10.0.26100', build, displayVersion: '24H2' });

function judge(os: Os, maxDays: unknown = 30, releases: unknown = RELEASES, errors: ReturnType<typeof makeReport>['errors'] = []) {
  return verdictOf(CHECK, { maxDays, releases }, makeReport({ os, errors }), NOW);
}

describe('os.maxDaysBehind', () => {
  it('passes a device on the newest release out (a release dated after now does not count yet)', () => {
    expect(judge(mac('15.2'))).toMatchObject({ status: 'pass', reason: 'macOS 15.2 is at or past the newest release this policy lists (15.2, out 2024-12-11).' });
    expect(judge(mac('15.2.1')).status).toBe('pass');
    expect(judge(mac('15.4')).status).toBe('pass');
  });

  it('counts the days since the first release the device is missing came out', () => {
    const behind = judge(mac('15.1.1'));
    expect(behind).toMatchObject({ status: 'fail', blocking: true });
    expect(behind.reason).toBe('macOS 15.1.1 is 40 days behind: 15.2 came out on 2024-12-11, 40 days ago; at most 30 days are allowed.');
    expect(behind.remediation).toContain('Software Update');
    expect(judge(mac('15.1.1'), 40)).toMatchObject({
      status: 'pass',
      reason: 'macOS 15.1.1 is behind by 40 days: 15.2 came out on 2024-12-11, 40 days ago; up to 40 days are allowed to install it.',
    });
    // Two releases behind: counted from the first one missed, and the newest named as the target.
    expect(judge(mac('15.0.1'), 60).reason).toBe(
      'macOS 15.0.1 is 84 days behind: 15.1 came out on 2024-10-28, 84 days ago (the newest listed is 15.2, out 2024-12-11); at most 60 days are allowed.',
    );
  });

  it('compares with the evaluation time it is given, never the clock', () => {
    expect(verdictOf(CHECK, { maxDays: 30, releases: RELEASES }, makeReport({ os: mac('15.1.1') }), new Date('2024-12-20T00:00:00Z')).status).toBe('pass');
    expect(verdictOf(CHECK, { maxDays: 30, releases: RELEASES }, makeReport({ os: mac('15.1.1') }), new Date('2025-01-10T23:59:00Z')).status).toBe('pass');
    expect(verdictOf(CHECK, { maxDays: 30, releases: RELEASES }, makeReport({ os: mac('15.1.1') }), new Date('2025-01-11T00:00:00Z')).status).toBe('fail');
  });

  it('reads a Rapid Security Response as newer than its base release', () => {
    const releases = { darwin: { '13.3.1': '2023-04-07', '13.3.1 (a)': '2023-07-10' } };
    const at = new Date('2023-09-01T00:00:00Z');
    expect(verdictOf(CHECK, { maxDays: 30, releases }, makeReport({ os: mac('13.3.1', '(a)') }), at).status).toBe('pass');
    expect(verdictOf(CHECK, { maxDays: 30, releases }, makeReport({ os: mac('13.3.1') }), at).status).toBe('fail');
  });

  it('fails a device older than every listed release once the oldest is overdue, else cannot tell', () => {
    expect(judge(mac('14.7')).reason).toBe(
      'macOS 14.7 is at least 126 days behind: 15.0 came out on 2024-09-16, 126 days ago (the newest listed is 15.2, out 2024-12-11); at most 30 days are allowed.',
    );
    const unknown = judge(mac('14.7'), 200);
    expect(unknown).toMatchObject({ status: 'unknown', reason: 'macOS 14.7 is older than every release this policy lists (the oldest is 15.0), so how long it has been behind is not known.' });
  });

  it('compares Windows by build and update revision, and is unknown without the revision', () => {
    expect(judge(windows('10.0.26100.2894')).status).toBe('pass');
    expect(judge(windows('10.0.26100.2605'))).toMatchObject({ status: 'pass', reason: expect.stringContaining('behind by 6 days: 10.0.26100.2894 came out on 2025-01-14') });
    expect(judge(windows('10.0.26100.2605'), 5).status).toBe('fail');
    const noRevision = judge(windows(null), 30, RELEASES, [{ signal: 'os', code: 'ERR_ACCESS_DENIED', message: 'UBR could not be read from the registry.' }]);
    expect(noRevision).toMatchObject({ status: 'unknown' });
    expect(noRevision.reason).toBe(
      'Could not determine the update revision of Windows 11 Pro 10.0.26100, which the releases this policy lists need: UBR could not be read from the registry.',
    );
    expect(noRevision.remediation).toContain('Windows Update');
  });

  it('looks Linux up by distribution and takes maxDays per OS', () => {
    const ubuntu = makeReport({ os: { platform: 'linux', id: 'ubuntu', name: 'Ubuntu', version: '24.04.3' } });
    const days = { linux: 90, darwin: 30 };
    expect(verdictOf(CHECK, { maxDays: days, releases: RELEASES }, ubuntu, NOW)).toMatchObject({
      status: 'fail',
      reason: 'Ubuntu 24.04.3 is 102 days behind: 24.10 came out on 2024-10-10, 102 days ago; at most 90 days are allowed.',
    });
    expect(verdictOf(CHECK, { maxDays: { linux: 120 }, releases: RELEASES }, ubuntu, NOW).status).toBe('pass');
    const unset = verdictOf(CHECK, { maxDays: { darwin: 30 }, releases: RELEASES }, ubuntu, NOW);
    expect(unset).toMatchObject({ status: 'unknown', reason: 'This policy sets no maximum days behind for Linux.' });
  });

  it('is unknown, never pass, when the device cannot be placed in the table', () => {
    const debian = makeReport({ os: { platform: 'linux', id: 'debian', name: 'Debian GNU/Linux', version: '12.7' } });
    expect(verdictOf(CHECK, { maxDays: 30, releases: RELEASES }, debian, NOW)).toMatchObject({
      status: 'unknown',
      reason: 'This policy lists no releases of Debian GNU/Linux to compare Debian GNU/Linux 12.7 with.',
    });
    const noWindows = verdictOf(CHECK, { maxDays: 30, releases: { darwin: RELEASES.darwin } }, makeReport({ os: windows('10.0.26100.2894') }), NOW);
    expect(noWindows).toMatchObject({ status: 'unknown', reason: 'This policy lists no Windows releases to compare Windows 11 Pro 10.0.26100.2894 with.' });
    const rolling = makeReport({
      os: { platform: 'linux', id: 'ubuntu', name: 'Ubuntu', version: null },
      errors: [{ signal: 'os', code: 'ERR_PARSE', message: '/etc/os-release has no VERSION_ID.' }],
    });
    expect(verdictOf(CHECK, { maxDays: 30, releases: RELEASES }, rolling, NOW)).toMatchObject({
      status: 'unknown',
      reason: 'Could not determine the version of Ubuntu: /etc/os-release has no VERSION_ID.',
    });
    const noId = makeReport({ os: { platform: 'linux', id: null, name: null, version: '24.04' } });
    expect(verdictOf(CHECK, { maxDays: 30, releases: RELEASES }, noId, NOW)).toMatchObject({ status: 'unknown', reason: 'Could not determine which Linux distribution this is.' });
    const odd = makeReport({ os: mac('15.1-beta') });
    expect(verdictOf(CHECK, { maxDays: 30, releases: RELEASES }, odd, NOW)).toMatchObject({ status: 'unknown', reason: 'Could not read a comparable version for macOS 15.1-beta.' });
    const future = verdictOf(CHECK, { maxDays: 30, releases: { darwin: { '16.0': '2025-09-15' } } }, makeReport({ os: mac('15.2') }), NOW);
    expect(future).toMatchObject({ status: 'unknown', reason: 'No release this policy lists for macOS 15.2 has come out yet.' });
  });

  it('reads the release table from YAML with quoted versions and plain dates', () => {
    const policy = parsePolicy(
      `
id: currency
version: 1
rules:
  - id: os-currency
    check: os.maxDaysBehind
    severity: warn
    params:
      maxDays: { darwin: 30, win32: 30, linux: 90 }
      releases:
        darwin: { "15.1": 2024-10-28, "15.2": 2024-12-11 }
        linux:
          ubuntu: { "24.04": 2024-04-25, "24.10": 2024-10-10 }
`,
      'currency.yaml',
    );
    const ubuntu = evaluatePolicy(policy, makeReport({ os: { id: 'ubuntu', version: '24.10' } }), { now: NOW });
    expect(ubuntu.verdicts[0]).toMatchObject({ id: 'os-currency', status: 'pass' });
    const oldMac = evaluatePolicy(policy, makeReport({ os: mac('15.1') }), { now: NOW });
    expect(oldMac.verdicts[0]).toMatchObject({ status: 'fail', blocking: false });
    expect(oldMac.status).toBe('warning');
  });

  it('keeps unquoted YAML versions as written: 24.10 is not 24.1, 15.0 is not 15', () => {
    const policy = parsePolicy(
      'id: t\nversion: 1\nrules:\n  - id: age\n    check: os.maxDaysBehind\n    severity: block\n    params:\n      maxDays: 30\n      releases:\n        darwin: { 15.0: 2024-09-16, 15.10: 2025-09-01 }\n        linux: { ubuntu: { 24.04: 2024-04-25, 24.10: 2024-10-10 } }\n',
      't.yaml',
    );
    expect(policy.rules[0]!.params).toEqual({
      maxDays: 30,
      releases: { darwin: { '15.0': '2024-09-16', '15.10': '2025-09-01' }, linux: { ubuntu: { '24.04': '2024-04-25', '24.10': '2024-10-10' } } },
    });
    const ubuntu = evaluatePolicy(policy, makeReport({ os: { id: 'ubuntu', version: '24.04.3' } }), { now: NOW });
    expect(ubuntu.verdicts[0]).toMatchObject({ status: 'fail', reason: expect.stringContaining('24.10 came out on 2024-10-10') });
  });

  it('refuses a bad table with the path of the bad entry', () => {
    const rule = (params: string) => `{ id: age, check: os.maxDaysBehind, severity: block, params: ${params} }`;
    expect(refusalOf(rule('{ maxDays: 30 }'))).toContain('rules[0].params.releases');
    expect(refusalOf(rule('{ releases: { darwin: { "15.1": 2024-10-28 } } }'))).toContain('rules[0].params.maxDays');
    expect(refusalOf(rule('{ maxDays: -1, releases: { darwin: { "15.1": 2024-10-28 } } }'))).toContain('rules[0].params.maxDays');
    expect(refusalOf(rule('{ maxDays: 30, releases: { darwin: { "15.1": 2024-02-30 } } }'))).toContain(
      'rules[0].params.releases.darwin.15.1: expected a release date such as "2024-10-28"',
    );
    expect(refusalOf(rule('{ maxDays: 30, releases: { darwin: { "15.1": "October 2024" } } }'))).toContain('rules[0].params.releases.darwin.15.1: expected a release date');
    expect(refusalOf(rule('{ maxDays: 30, releases: { darwin: { sequoia: 2024-09-16 } } }'))).toContain(
      'rules[0].params.releases.darwin.sequoia: "sequoia" is not a version such as "15.1", "10.0.26100.2314" or "24.04"',
    );
    expect(refusalOf(rule('{ maxDays: 30, releases: { darwin: {} } }'))).toContain('rules[0].params.releases.darwin: expected at least one release');
    expect(refusalOf(rule('{ maxDays: 30, releases: { linux: { ubuntu: { "24.04": 2024-04-31 } } } }'))).toContain('rules[0].params.releases.linux.ubuntu.24.04');
    expect(refusalOf(rule('{ maxDays: 30, releases: { linux: { "24.04": 2024-04-25 } } }'))).toContain('rules[0].params.releases.linux.24.04');
    expect(refusalOf(rule('{ maxDays: 30, releases: { macos: { "15.1": 2024-10-28 } } }'))).toMatch(/rules\[0\]\.params\.releases: Unrecognized key.*macos/);
  });
});
