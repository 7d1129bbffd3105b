import { describe, expect, it } from 'vitest';
import { makeReport } from '../../support/report.js';
import { refusalOf, verdictOf } from './check-harness.js';

type Updates = NonNullable<Parameters<typeof makeReport>[0]>['osUpdates'];
const report = (osUpdates: Updates, platform: 'linux' | 'win32' | 'darwin' = 'linux', errors: ReturnType<typeof makeReport>['errors'] = []) =>
  makeReport({ os: { platform }, osUpdates, errors });

describe('osUpdates.automatic', () => {
  const CHECK = 'osUpdates.automatic';

  it('passes when updates are looked for and installed by themselves', () => {
    expect(verdictOf(CHECK, undefined, report({}))).toMatchObject({ status: 'pass', reason: 'Updates are looked for and installed automatically (apt (20auto-upgrades)).' });
  });

  it('fails when either half is off, saying which, with the source and its detail', () => {
    const noInstall = verdictOf(
      CHECK,
      undefined,
      report({ status: 'disabled', automaticCheck: true, automaticInstall: false, source: 'apt (unattended-upgrades not installed)', detail: 'APT::Periodic::Unattended-Upgrade "1" but /usr/bin/unattended-upgrade is missing' }),
    );
    expect(noInstall).toMatchObject({
      status: 'fail',
      reason: 'Updates are not installed automatically (apt (unattended-upgrades not installed): APT::Periodic::Unattended-Upgrade "1" but /usr/bin/unattended-upgrade is missing).',
    });
    expect(noInstall.remediation).toContain('unattended-upgrades');
    const noCheck = verdictOf(CHECK, undefined, report({ status: 'disabled', automaticCheck: false, automaticInstall: null, source: 'com.apple.SoftwareUpdate', detail: null }, 'darwin'));
    expect(noCheck.reason).toBe('The system does not look for updates by itself (com.apple.SoftwareUpdate).');
    expect(noCheck.remediation).toContain('Install Security Responses and system files');
    const bare = verdictOf(CHECK, undefined, report({ status: 'disabled', automaticCheck: null, automaticInstall: null, source: null, detail: null }, 'win32'));
    expect(bare.reason).toBe('Automatic updates are off.');
    expect(bare.remediation).toContain('Resume updates');
  });

  it('is unknown, never pass, when it could not be read', () => {
    const errors = [{ signal: 'osUpdates' as const, code: 'ERR_ACCESS_DENIED' as const, message: '/etc/apt/apt.conf.d/50local is readable only by root.' }];
    const verdict = verdictOf(CHECK, undefined, report({ status: 'unknown', automaticCheck: true, automaticInstall: null }, 'linux', errors));
    expect(verdict).toMatchObject({ status: 'unknown', reason: 'Could not determine whether updates are installed automatically: /etc/apt/apt.conf.d/50local is readable only by root.' });
  });

  it('takes no parameters', () => {
    expect(refusalOf('{ id: up, check: osUpdates.automatic, severity: warn, params: { max: 1 } }')).toMatch(/rules\[0\]\.params: Unrecognized key.*max/);
  });
});

describe('osUpdates.maxPendingSecurity', () => {
  const CHECK = 'osUpdates.maxPendingSecurity';

  it('passes up to the maximum and fails above it', () => {
    expect(verdictOf(CHECK, { max: 0 }, report({ pendingSecurity: 0 }))).toMatchObject({ status: 'pass', reason: 'No security update waits to be installed (at most 0 may).' });
    expect(verdictOf(CHECK, { max: 2 }, report({ pendingSecurity: 2 })).status).toBe('pass');
    const over = verdictOf(CHECK, { max: 0 }, report({ pendingSecurity: 1 }));
    expect(over).toMatchObject({ status: 'fail', reason: '1 security update waits to be installed; at most 0 may wait.' });
    expect(over.remediation).toContain('sudo apt update && sudo apt upgrade');
    expect(verdictOf(CHECK, { max: 3 }, report({ pendingSecurity: 12 }, 'win32')).reason).toBe('12 security updates wait to be installed; at most 3 may wait.');
  });

  it('takes the maximum per OS; an OS it does not name only needs a known count', () => {
    const params = { max: { win32: 0, linux: 5 } };
    expect(verdictOf(CHECK, params, report({ pendingSecurity: 4 }, 'linux')).status).toBe('pass');
    expect(verdictOf(CHECK, params, report({ pendingSecurity: 1 }, 'win32')).status).toBe('fail');
    const mac = verdictOf(CHECK, params, report({ pendingSecurity: 7 }, 'darwin'));
    expect(mac).toMatchObject({ status: 'pass', reason: '7 security updates wait to be installed; this policy sets no limit for this OS.' });
    expect(verdictOf(CHECK, params, report({ pendingSecurity: null }, 'darwin')).status).toBe('unknown');
  });

  it('is unknown, never pass, when the count is not known, even with no update pending otherwise', () => {
    const errors = [{ signal: 'osUpdates' as const, code: 'ERR_SIGNAL_UNAVAILABLE' as const, message: 'Debian has no cheap source of pending updates.' }];
    const verdict = verdictOf(CHECK, { max: 10 }, report({ pending: 0, pendingSecurity: null, rebootRequired: false }, 'linux', errors));
    expect(verdict).toMatchObject({ status: 'unknown', reason: 'Could not determine how many security updates wait to be installed: Debian has no cheap source of pending updates.' });
  });

  it('fails while a restart is pending only when the policy says so', () => {
    const waiting = report({ pendingSecurity: 0, rebootRequired: true });
    expect(verdictOf(CHECK, { max: 0 }, waiting).status).toBe('pass');
    expect(verdictOf(CHECK, { max: 0, failWhenRebootRequired: false }, waiting).status).toBe('pass');
    const strict = verdictOf(CHECK, { max: 0, failWhenRebootRequired: true }, waiting);
    expect(strict).toMatchObject({ status: 'fail', reason: 'An installed update waits for a restart.' });
    expect(strict.remediation).toContain('restart');
    // A pending restart is known even when the count is not: fail, not unknown.
    expect(verdictOf(CHECK, { max: 0, failWhenRebootRequired: true }, report({ pendingSecurity: null, rebootRequired: true })).status).toBe('fail');
    expect(verdictOf(CHECK, { max: 0, failWhenRebootRequired: true }, report({ pendingSecurity: 3, rebootRequired: true })).reason).toBe(
      'An installed update waits for a restart. 3 security updates wait to be installed; at most 0 may wait.',
    );
    const noRestart = verdictOf(CHECK, { max: 0, failWhenRebootRequired: true }, report({ pendingSecurity: 0, rebootRequired: false }));
    expect(noRestart).toMatchObject({ status: 'pass', reason: 'No security update waits to be installed (at most 0 may). No restart is pending.' });
    const unread = verdictOf(CHECK, { max: 0, failWhenRebootRequired: true }, report({ pendingSecurity: 0, rebootRequired: null }));
    expect(unread).toMatchObject({ status: 'unknown', reason: 'Could not determine whether an installed update waits for a restart.' });
  });

  it('refuses bad parameters with their path', () => {
    expect(refusalOf('{ id: up, check: osUpdates.maxPendingSecurity, severity: block }')).toContain('rules[0].params');
    expect(refusalOf('{ id: up, check: osUpdates.maxPendingSecurity, severity: block, params: { max: -1 } }')).toContain('rules[0].params.max');
    expect(refusalOf('{ id: up, check: osUpdates.maxPendingSecurity, severity: block, params: { max: 1.5 } }')).toContain('rules[0].params.max');
    expect(refusalOf('{ id: up, check: osUpdates.maxPendingSecurity, severity: block, params: { max: 0, failWhenRebootRequired: 1 } }')).toContain(
      'rules[0].params.failWhenRebootRequired',
    );
  });
});
