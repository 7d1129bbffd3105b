import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collectPosture, type PlatformCollectors } from '../../../src/collectors/index.js';
import { unknownOs } from '../../../src/collectors/os/schema.js';
import { UNKNOWN_OS_UPDATES } from '../../../src/collectors/os-updates/schema.js';
import { UNKNOWN_SCREEN_LOCK } from '../../../src/collectors/screen-lock/schema.js';
import { UNKNOWN_SECURE_BOOT } from '../../../src/collectors/secure-boot/schema.js';
import { UNKNOWN_TPM } from '../../../src/collectors/tpm/schema.js';
import { createFakeHost } from '../../support/fake-host.js';

const HUNG = '/usr/bin/hung-tool';

// Minimal collectors that exercise the orchestration: each asks the host one thing.
function collectors(overrides: Partial<PlatformCollectors> = {}): PlatformCollectors {
  return {
    os: async (host) => ({
      os: { ...unknownOs(host.platform), name: (await host.readFile('/etc/os-release')).trim() },
      device: { hostname: 'host-1', serial: null, model: null, manufacturer: null },
    }),
    diskEncryption: () => Promise.resolve({ status: 'encrypted', volumes: [{ mount: '/', system: true, encrypted: true, method: 'LUKS2', state: null }] }),
    antivirus: async (host) => {
      await host.run(HUNG, ['--status']);
      return { status: 'protected', products: [] };
    },
    firewall: () => Promise.resolve({ status: 'enabled', products: [{ name: 'ufw', enabled: true }] }),
    screenLock: () => Promise.resolve(UNKNOWN_SCREEN_LOCK),
    secureBoot: () => Promise.resolve(UNKNOWN_SECURE_BOOT),
    tpm: () => Promise.resolve(UNKNOWN_TPM),
    osUpdates: () => Promise.resolve(UNKNOWN_OS_UPDATES),
    ...overrides,
  };
}

const host = createFakeHost({ platform: 'linux', files: { '/etc/os-release': 'Debian' }, commands: { [HUNG]: { hang: true } } });

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-22T10:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('collectPosture', () => {
  it('cuts a hung command off at its timeout; that signal is unknown and the others are read', async () => {
    const started = Date.now();
    let finishedAt = 0;
    const pending = collectPosture(host, { collectors: collectors(), commandTimeoutMs: 2_000, budgetMs: 10_000 }).then((report) => {
      finishedAt = Date.now();
      return report;
    });
    await vi.advanceTimersByTimeAsync(2_000);
    const report = await pending;
    expect(finishedAt - started).toBe(2_000);
    expect(report.antivirus.status).toBe('unknown');
    expect(report.errors).toEqual([{ signal: 'antivirus', code: 'ERR_COMMAND_TIMEOUT', message: `${HUNG} did not finish within 2000 ms and was stopped.` }]);
    expect(report.os.name).toBe('Debian');
    expect(report.diskEncryption.status).toBe('encrypted');
    expect(report.firewall.status).toBe('enabled');
  });

  it('caps every command by what is left of the budget, so the whole check ends within it', async () => {
    let finishedAt = 0;
    const pending = collectPosture(host, { collectors: collectors(), commandTimeoutMs: 60_000, budgetMs: 5_000 }).then((report) => {
      finishedAt = Date.now();
      return report;
    });
    await vi.advanceTimersByTimeAsync(5_000);
    const report = await pending;
    expect(finishedAt - new Date('2026-11-22T10:00:00Z').getTime()).toBe(5_000);
    expect(report.errors.map((error) => error.code)).toEqual(['ERR_COMMAND_TIMEOUT']);
    expect(report.errors[0]!.message).toContain('5000 ms');
  });

  it('reports a collector that never returns (not even through the host) as over budget', async () => {
    const stuck = collectors({ firewall: () => new Promise(() => undefined) });
    const pending = collectPosture(host, { collectors: { ...stuck, antivirus: () => Promise.resolve({ status: 'unprotected', products: [] }) }, budgetMs: 3_000 });
    await vi.advanceTimersByTimeAsync(3_000);
    const report = await pending;
    expect(report.firewall).toEqual({ status: 'unknown', products: [] });
    expect(report.errors).toEqual([{ signal: 'firewall', code: 'ERR_CHECK_BUDGET_EXCEEDED', message: 'Reading firewall took longer than the check\'s time budget.' }]);
    expect(report.antivirus.status).toBe('unprotected');
  });

  it('turns a collector that throws into unknown with its reason; the rest of the report stands', async () => {
    const broken = collectors({
      antivirus: () => Promise.resolve({ status: 'unprotected', products: [] }),
      diskEncryption: () => Promise.reject(new TypeError('cannot read properties of undefined')),
      os: async (h) => {
        await h.readFile('/missing');
        throw new Error('unreachable');
      },
    });
    const report = await collectPosture(host, { collectors: broken });
    expect(report.diskEncryption.status).toBe('unknown');
    expect(report.os.name).toBeNull();
    expect(report.errors.map((error) => [error.signal, error.code])).toEqual([
      ['os', 'ERR_COLLECTOR_FAILED'],
      ['diskEncryption', 'ERR_COLLECTOR_FAILED'],
    ]);
    expect(report.errors[1]!.message).toContain('cannot read properties of undefined');
    expect(report.antivirus.status).toBe('unprotected');
  });

  it('stamps the report with its schema, time and the device id it was given', async () => {
    const report = await collectPosture(host, {
      collectors: collectors({ antivirus: () => Promise.resolve({ status: 'unprotected', products: [] }) }),
      deviceId: 'abc',
      now: new Date('2026-11-22T10:00:00Z'),
    });
    expect(report.schema).toBe('posture-report/v1');
    expect(report.collectedAt).toBe('2026-11-22T10:00:00.000Z');
    expect(report.device).toEqual({ id: 'abc', hostname: 'host-1', serial: null, model: null, manufacturer: null });
  });
});
