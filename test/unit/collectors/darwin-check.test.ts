import { describe, expect, it } from 'vitest';
import { collectPosture } from '../../../src/collectors/index.js';
import { createFakeHost } from '../../support/fake-host.js';
import { COMMAND_LINES, COMMANDS, healthyMac, NOW } from '../../fixtures/darwin/healthy-mac.js';

describe('a macOS check on the healthy Mac', () => {
  it('reports every signal healthy; the one error is the pending-update detail macOS never gives', async () => {
    const host = createFakeHost(healthyMac());
    const report = await collectPosture(host, { now: NOW });
    expect(report).toMatchObject({
      os: { version: '15.7.4' },
      diskEncryption: { status: 'encrypted' },
      antivirus: { status: 'protected' },
      firewall: { status: 'enabled' },
      screenLock: { status: 'enabled', delaySeconds: 300, source: 'sysadminctl' },
      secureBoot: { status: 'enabled', detail: 'Full Security', source: 'system_profiler' },
      tpm: { status: 'present', kind: 'secure-enclave', manufacturer: 'Apple' },
      osUpdates: { status: 'enabled', automaticCheck: true, automaticDownload: true, automaticInstall: true, pending: 1, pendingSecurity: null, rebootRequired: null },
    });
    // Not a fault of this Mac: macOS does not mark security updates nor record cheaply whether a restart waits.
    expect(report.errors).toEqual([expect.objectContaining({ signal: 'osUpdates', code: 'ERR_UNSUPPORTED' })]);
  });

  it('starts 10 processes, each program line once (defaults twice, for two different domains)', async () => {
    const host = createFakeHost(healthyMac());
    await collectPosture(host, { now: NOW });
    const lines = host.calls.map((call) => [call.file, ...call.args].join(' '));
    expect([...lines].sort()).toEqual(
      [
        `${COMMANDS.fdesetup} status`,
        `${COMMANDS.socketfilterfw} --getglobalstate --getstealthmode`,
        `${COMMANDS.spctl} --status`,
        `${COMMANDS.xprotect} version`,
        COMMAND_LINES.screenLockStatus,
        COMMAND_LINES.screensaverIdleTime,
        COMMAND_LINES.displaySleep,
        COMMAND_LINES.bootPolicy,
        COMMAND_LINES.hardware,
        COMMAND_LINES.softwareUpdatePrefs,
      ].sort(),
    );
    expect(new Set(lines).size).toBe(lines.length);
  });
});
