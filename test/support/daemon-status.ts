/** Agent statuses for the tray tests: compliant by default; override what a test is about. */
import type { DaemonStatus } from '../../src/api/local-api-types.js';
import type { Verdict } from '../../src/policy/types.js';

export function verdict(overrides: Partial<Verdict> & Pick<Verdict, 'id'>): Verdict {
  return {
    check: 'firewall.enabled',
    status: 'pass',
    severity: 'block',
    reason: 'Firewall on: ufw.',
    remediation: null,
    failingSince: null,
    graceDeadline: null,
    blocking: false,
    ...overrides,
  };
}

export function daemonStatus(overrides: Partial<DaemonStatus> = {}): DaemonStatus {
  return {
    state: 'compliant',
    deviceId: '0531b1ca-8220-4c64-9c16-6992b7cbc8ff',
    service: 'https://posture.example.com',
    enrolled: true,
    lastCheckAt: '2026-11-22T10:00:00.000Z',
    lastDeliveryAt: '2026-11-22T10:00:01.000Z',
    nextCheckAt: '2026-11-22T10:05:00.000Z',
    checking: false,
    checkNotBefore: null,
    certificate: null,
    policy: 'corp@3',
    earStatus: 'affirming',
    tiers: ['basic', 'strict'],
    verdicts: [
      verdict({ id: 'disk-encryption', check: 'diskEncryption.system', reason: 'Encrypted: / — LUKS2.' }),
      verdict({ id: 'firewall', check: 'firewall.enabled', severity: 'warn' }),
    ],
    resultExpiresAt: '2026-11-22T10:10:01.000Z',
    lastError: null,
    consecutiveFailures: 0,
    report: null,
    warnings: [],
    ...overrides,
  };
}

export const FAILING_DISK = verdict({
  id: 'disk-encryption',
  check: 'diskEncryption.system',
  status: 'fail',
  reason: 'Not encrypted and protected: / — not encrypted (vda).',
  remediation: 'The system disk must be LUKS-encrypted.',
  failingSince: '2026-11-22T10:00:00.000Z',
  blocking: true,
});

export const GRACE_DISK = { ...FAILING_DISK, blocking: false, graceDeadline: '2026-11-25T10:00:00.000Z' };
