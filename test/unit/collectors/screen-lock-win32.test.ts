import { describe, expect, it } from 'vitest';
import { SCREEN_LOCK_SCRIPT } from '../../../src/collectors/screen-lock/screen-lock-script.js';
import {
  collectScreenLockWin32,
  DISABLED_SOURCE,
  INACTIVITY_SOURCE,
  SCREEN_SAVER_POLICY_SOURCE,
  SCREEN_SAVER_SOURCE,
  SLEEP_SOURCE,
} from '../../../src/collectors/screen-lock/win32.js';
import { powerShellArguments } from '../../../src/collectors/windows/powershell.js';
import { WIN32_COMMANDS } from '../../../src/exec/commands-win32.js';
import { codes, collectWith } from '../../support/collect.js';
import { fixture, type CommandAnswer } from '../../support/fake-host.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const PROBE = [WIN32_COMMANDS.powershell, ...powerShellArguments(SCREEN_LOCK_SCRIPT)].join(' ');

const CONSOLELOCK_ON = fixture('win32', 'powercfg-query', 'hyperv-consolelock-query');
const SLEEP_30_15 = fixture('win32', 'powercfg-query', 'ms-docs-standbyidle-qh');
const SLEEP_AC_NEVER = fixture('win32', 'powercfg-query', 'win11-pro-26100-standbyidle-ac-never');

const NONE = { data: [] };
const powercfg = (output: string, exitCode = 0) => ({ data: [{ exitCode, output }] });
const desktop = (active: string | null, secure: string | null, timeout: string | null, exe: string | null) => ({
  data: [{ ScreenSaveActive: active, ScreenSaverIsSecure: secure, ScreenSaveTimeOut: timeout, 'SCRNSAVE.EXE': exe }],
});
const ACCESS_DENIED = {
  error: {
    type: 'System.Security.SecurityException',
    hresult: -2146233078,
    category: 'PermissionDenied',
    id: 'System.Security.SecurityException,Microsoft.PowerShell.Commands.GetItemCommand',
    message: 'Requested registry access is not allowed.',
  },
};
const POWERCFG_MISSING = {
  error: { type: 'System.Management.Automation.CommandNotFoundException', hresult: -2146233087, category: 'ObjectNotFound', id: 'CommandNotFoundException', message: 'powercfg.exe does not exist.' },
};

type Document = Record<string, unknown>;

/** A standard user's Windows 11 as shipped: no screen saver program, sleep after 30 min (AC) / 15 min (battery), password on wake. */
function document(overrides: Document = {}): Document {
  return {
    probe: 'screen-lock',
    machinePolicy: { data: [{ InactivityTimeoutSecs: null }] },
    userDesktop: desktop('1', '0', '900', null),
    policyDesktop: NONE,
    powerPolicy: NONE,
    consoleLock: powercfg(CONSOLELOCK_ON),
    standbyIdle: powercfg(SLEEP_30_15),
    ...overrides,
  };
}

function printed(doc: Document): CommandAnswer {
  return { stdout: `${JSON.stringify(doc)}\r\n` };
}

function collect(answer: CommandAnswer | undefined) {
  return collectWith(collectScreenLockWin32, { platform: 'win32', commands: answer ? { [PROBE]: answer } : {} }, NOW);
}

describe('collectScreenLockWin32', () => {
  it('runs one PowerShell probe and, with only sleep locking, reports the worse power source (AC: 30 min)', async () => {
    const { value, errors, host } = await collect(printed(document()));
    expect(value).toEqual({ status: 'enabled', delaySeconds: 1800, source: SLEEP_SOURCE, user: null });
    expect(errors).toEqual([]);
    expect(host.calls).toHaveLength(1);
    expect(host.calls[0]!.file).toBe(WIN32_COMMANDS.powershell);
  });

  it('is disabled when the machine never sleeps on AC and nothing else locks it', async () => {
    const { value, errors } = await collect(printed(document({ standbyIdle: powercfg(SLEEP_AC_NEVER) })));
    expect(value).toEqual({ status: 'disabled', delaySeconds: null, source: DISABLED_SOURCE, user: null });
    expect(errors).toEqual([]);
  });

  it('is disabled when waking from sleep asks for no password', async () => {
    const noPassword = CONSOLELOCK_ON.replaceAll('0x00000001', '0x00000000');
    const { value } = await collect(printed(document({ consoleLock: powercfg(noPassword) })));
    expect(value.status).toBe('disabled');
  });

  it('locks at the machine inactivity limit when it comes first', async () => {
    const { value } = await collect(printed(document({ machinePolicy: { data: [{ InactivityTimeoutSecs: 600 }] } })));
    expect(value).toEqual({ status: 'enabled', delaySeconds: 600, source: INACTIVITY_SOURCE, user: null });
  });

  it('the inactivity limit locks on its own, whatever the power settings', async () => {
    const { value } = await collect(printed(document({ machinePolicy: { data: [{ InactivityTimeoutSecs: 900 }] }, standbyIdle: powercfg(SLEEP_AC_NEVER) })));
    expect(value).toEqual({ status: 'enabled', delaySeconds: 900, source: INACTIVITY_SOURCE, user: null });
  });

  it("takes the screen saver Group Policy over the user's values (real fixture document)", async () => {
    const { value } = await collect({ stdout: fixture('win32', 'powershell-screen-lock', 'gpo-inactivity-900-and-forced-screen-saver') });
    expect(value).toEqual({ status: 'enabled', delaySeconds: 600, source: SCREEN_SAVER_POLICY_SOURCE, user: null });
  });

  it("counts the user's secure screen saver (REG_DWORD values written by a script work too)", async () => {
    const { value } = await collect({ stdout: fixture('win32', 'powershell-screen-lock', 'dword-values-and-power-policy') });
    expect(value).toEqual({ status: 'enabled', delaySeconds: 300, source: SCREEN_SAVER_SOURCE, user: null });
  });

  it.each([
    ['not password protected', desktop('1', '0', '300', 'C:\\Windows\\system32\\scrnsave.scr')],
    ['without a screen saver program', desktop('1', '1', '300', null)],
    ['switched off', desktop('0', '1', '300', 'C:\\Windows\\system32\\scrnsave.scr')],
    ['with a timeout of 0', desktop('1', '1', '0', 'C:\\Windows\\system32\\scrnsave.scr')],
  ])('does not count a screen saver %s', async (_what, userDesktop) => {
    const { value } = await collect(printed(document({ userDesktop, standbyIdle: powercfg(SLEEP_AC_NEVER) })));
    expect(value.status).toBe('disabled');
  });

  it("uses the 15-minute default when the screen saver's timeout is not set", async () => {
    const { value } = await collect(printed(document({ userDesktop: desktop('1', '1', null, 'C:\\Windows\\system32\\Bubbles.scr') })));
    expect(value).toEqual({ status: 'enabled', delaySeconds: 900, source: SCREEN_SAVER_SOURCE, user: null });
  });

  it('lets Group Policy power settings override the scheme', async () => {
    const { value } = await collect(
      printed(
        document({
          standbyIdle: powercfg(SLEEP_AC_NEVER),
          powerPolicy: { data: [{ setting: '29f6c1db-86da-48c5-9fdb-f2b67b1f44da', ac: 1200, dc: 600 }] },
        }),
      ),
    );
    expect(value).toEqual({ status: 'enabled', delaySeconds: 1200, source: SLEEP_SOURCE, user: null });
  });

  it('as a standard user refused the screen saver policy key: keeps what was read as an upper bound and reports the refusal', async () => {
    const { value, errors } = await collect(printed(document({ policyDesktop: ACCESS_DENIED })));
    expect(value).toEqual({ status: 'enabled', delaySeconds: 1800, source: SLEEP_SOURCE, user: null });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('is unknown when the refused source is the only one that could lock', async () => {
    const { value, errors } = await collect(printed(document({ machinePolicy: ACCESS_DENIED, standbyIdle: powercfg(SLEEP_AC_NEVER) })));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_SIGNAL_UNAVAILABLE']);
  });

  it('reads the German access-denied document by its error category, not its words', async () => {
    const { value, errors } = await collect({ stdout: fixture('win32', 'powershell-screen-lock', 'german-policy-key-access-denied') });
    expect(value.status).toBe('enabled');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
    expect(errors[0]!.message).toContain('unzulässig');
  });

  it('is unknown when powercfg is missing and no screen saver or policy locks', async () => {
    const { value, errors } = await collect(printed(document({ consoleLock: POWERCFG_MISSING, standbyIdle: POWERCFG_MISSING })));
    expect(value).toEqual({ status: 'unknown', delaySeconds: null, source: null, user: null });
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED', 'ERR_UNSUPPORTED', 'ERR_SIGNAL_UNAVAILABLE']);
  });

  it('says so when powercfg does not list CONSOLELOCK', async () => {
    const header = 'Power Scheme GUID: 381b4222-f694-41f0-9685-ff5bb260df2e  (Balanced)\n  GUID Alias: SCHEME_BALANCED';
    const { value, errors } = await collect(printed(document({ consoleLock: powercfg(header) })));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_NOT_FOUND', 'ERR_SIGNAL_UNAVAILABLE']);
  });

  it('is unknown, with the error, when the probe times out', async () => {
    const { value, errors } = await collect({ error: 'ERR_COMMAND_TIMEOUT' });
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_TIMEOUT']);
  });

  it('is unknown when PowerShell is not there', async () => {
    const { value, errors } = await collect(undefined);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('is unknown when the probe prints something other than its document', async () => {
    const { value, errors } = await collect({ stdout: fixture('win32', 'powershell-screen-lock', 'not-json-powershell-error') });
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_PARSE']);
  });

  it('fits on a Windows command line and reads every source it documents', () => {
    expect(() => powerShellArguments(SCREEN_LOCK_SCRIPT)).not.toThrow();
    for (const needle of ['InactivityTimeoutSecs', 'HKCU:\\Control Panel\\Desktop', 'ScreenSaverIsSecure', 'SCRNSAVE.EXE', "'/qh', 'SCHEME_CURRENT', 'SUB_NONE', 'CONSOLELOCK'", 'STANDBYIDLE']) {
      expect(SCREEN_LOCK_SCRIPT).toContain(needle);
    }
  });
});
