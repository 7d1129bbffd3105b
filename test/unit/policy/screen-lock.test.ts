import { describe, expect, it } from 'vitest';
import { describeSeconds } from '../../../src/policy/checks/screen-lock.js';
import { makeReport } from '../../support/report.js';
import { refusalOf, verdictOf } from './check-harness.js';

const CHECK = 'screenLock.maxDelaySeconds';
type Lock = NonNullable<Parameters<typeof makeReport>[0]>['screenLock'];
const report = (screenLock: Lock, platform: 'linux' | 'win32' | 'darwin' = 'linux', errors: ReturnType<typeof makeReport>['errors'] = []) =>
  makeReport({ os: { platform }, screenLock, errors });

describe('screenLock.maxDelaySeconds', () => {
  it('passes when the session locks with a password within the limit, and says whose session', () => {
    const verdict = verdictOf(CHECK, { seconds: 900 }, report({ status: 'enabled', delaySeconds: 300, user: 'ada' }));
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toBe("The screen locks with a password after 5 minutes idle in ada's session (gsettings (GNOME)); at most 15 minutes is allowed.");
    expect(verdict.remediation).toBeNull();
    expect(verdictOf(CHECK, { seconds: 300 }, report({ status: 'enabled', delaySeconds: 300 })).status).toBe('pass');
  });

  it('fails a delay longer than the limit, naming both', () => {
    const verdict = verdictOf(CHECK, { seconds: 900 }, report({ status: 'enabled', delaySeconds: 1800, source: 'kscreenlockerrc (KDE)', user: 'bob' }));
    expect(verdict).toMatchObject({ status: 'fail', blocking: true });
    expect(verdict.reason).toBe("The screen locks with a password only after 30 minutes idle in bob's session (kscreenlockerrc (KDE)); at most 15 minutes is allowed.");
    expect(verdict.remediation).toContain('Screen Locking');
    expect(verdictOf(CHECK, { seconds: 900 }, report({ status: 'enabled', delaySeconds: 901 })).status).toBe('fail');
  });

  it('fails a session that never locks with a password', () => {
    const verdict = verdictOf(CHECK, { seconds: 900 }, report({ status: 'disabled', delaySeconds: null, source: 'sysadminctl', user: 'carol' }, 'darwin'));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe("The screen never locks with a password when idle in carol's session (sysadminctl); it must within 15 minutes.");
    expect(verdict.remediation).toContain('System Settings > Lock Screen');
  });

  it('is unknown, never pass, when the lock could not be read, with the reason and whose session', () => {
    const noSession = verdictOf(
      CHECK,
      { seconds: 900 },
      report({ status: 'unknown', delaySeconds: null, source: null, user: null }, 'linux', [
        { signal: 'screenLock', code: 'ERR_SIGNAL_UNAVAILABLE', message: 'No user is logged in to a desktop session.' },
        { signal: 'firewall', code: 'ERR_ACCESS_DENIED', message: 'not about screen lock' },
      ]),
    );
    expect(noSession.status).toBe('unknown');
    expect(noSession.reason).toBe('Could not determine whether the screen locks with a password when idle: No user is logged in to a desktop session.');
    expect(noSession.reason).not.toContain('not about screen lock');
    const dana = verdictOf(CHECK, { seconds: 900 }, report({ status: 'unknown', delaySeconds: null, user: 'dana' }, 'win32'));
    expect(dana.status).toBe('unknown');
    expect(dana.reason).toBe("Could not determine whether the screen locks with a password when idle in dana's session.");
    expect(dana.remediation).toContain('On resume, display logon screen');
    // Enabled without a delay cannot be judged against a limit.
    expect(verdictOf(CHECK, { seconds: 900 }, report({ status: 'enabled', delaySeconds: null })).status).toBe('unknown');
  });

  it('takes the limit per OS, and only asks for a lock on an OS the limit does not name', () => {
    const params = { seconds: { win32: 600, darwin: 300 } };
    expect(verdictOf(CHECK, params, report({ status: 'enabled', delaySeconds: 600 }, 'win32')).status).toBe('pass');
    expect(verdictOf(CHECK, params, report({ status: 'enabled', delaySeconds: 600 }, 'darwin')).status).toBe('fail');
    const linux = verdictOf(CHECK, params, report({ status: 'enabled', delaySeconds: 3600 }, 'linux'));
    expect(linux.status).toBe('pass');
    expect(linux.reason).toContain('sets no limit for this OS');
    const never = verdictOf(CHECK, params, report({ status: 'disabled', delaySeconds: null, user: null }, 'linux'));
    expect(never).toMatchObject({ status: 'fail', reason: 'The screen never locks with a password when idle (gsettings (GNOME)).' });
  });

  it('refuses bad parameters with their path', () => {
    expect(refusalOf('{ id: lock, check: screenLock.maxDelaySeconds, severity: block }')).toContain('rules[0].params');
    expect(refusalOf('{ id: lock, check: screenLock.maxDelaySeconds, severity: block, params: { seconds: -1 } }')).toContain('rules[0].params.seconds');
    expect(refusalOf('{ id: lock, check: screenLock.maxDelaySeconds, severity: block, params: { seconds: "15m" } }')).toContain('rules[0].params.seconds');
    expect(refusalOf('{ id: lock, check: screenLock.maxDelaySeconds, severity: block, params: { seconds: { macos: 60 } } }')).toContain('rules[0].params.seconds');
    expect(refusalOf('{ id: lock, check: screenLock.maxDelaySeconds, severity: block, params: { seconds: 60, minutes: 1 } }')).toMatch(/rules\[0\]\.params: Unrecognized key.*minutes/);
  });

  it('describes delays in plain words', () => {
    expect([0, 1, 59, 60, 90, 900, 3600].map(describeSeconds)).toEqual(['0 seconds', '1 second', '59 seconds', '1 minute', '90 seconds', '15 minutes', '60 minutes']);
  });
});
