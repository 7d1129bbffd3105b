/**
 * Sample TrayViews, one per state the window shows, made by the real buildTrayView from daemon
 * statuses (so headlines, blocked reasons and titles are the app's own words). All times are
 * relative to TRAY_NOW; the tray window tests fix the page's clock there.
 */
import type { DaemonState, DaemonStatus } from '../../src/api/local-api-types.js';
import { CHECKS } from '../../src/policy/checks/index.js';
import type { Verdict } from '../../src/policy/types.js';
import { COLLECTED } from '../../src/tray/collected.js';
import { buildTrayView, type TrayView } from '../../src/tray/tray-view.js';

/** Sunday 22 November 2026, 10:00 UTC. */
export const TRAY_NOW = Date.parse('2026-11-22T10:00:00.000Z');
const at = (minutes: number): string => new Date(TRAY_NOW + minutes * 60_000).toISOString();

export const DEVICE_ID = '3f2b8c1e-9a4d-4c7b-8e21-5d6f7a8b9c0d';
export const SERVICE = 'https://posture.example.com';
export const POLICY = 'corp-baseline@3';
/** Tuesday 24 November 2026, 09:30 UTC: when the OS update's grace period ends in the warning state. */
export const GRACE_DEADLINE = '2026-11-24T09:30:00.000Z';

export const LAST_CHECK_AT = at(-2);
export const LAST_DELIVERY_AT = at(-7);
export const NEXT_CHECK_AT = at(3);

function remediation(check: string): string {
  const definition = CHECKS.get(check);
  if (!definition) throw new Error(`no check ${check}`);
  return definition.remediation.linux;
}

type VerdictInput = Pick<Verdict, 'id' | 'check' | 'status' | 'severity' | 'reason'> & Partial<Pick<Verdict, 'graceDeadline' | 'blocking'>>;

function verdict(input: VerdictInput): Verdict {
  const passing = input.status === 'pass';
  return {
    graceDeadline: null,
    blocking: false,
    ...input,
    remediation: passing ? null : remediation(input.check),
    failingSince: passing ? null : at(-60 * 24),
  };
}

const DISK_PASS = verdict({ id: 'disk-encryption', check: 'diskEncryption.system', status: 'pass', severity: 'block', reason: 'Encrypted: / (LUKS2, LVM on LUKS2 (nvme0n1p3)).' });
const OS_PASS = verdict({ id: 'os-version', check: 'os.minimumVersion', status: 'pass', severity: 'block', reason: 'Ubuntu 24.04.3 meets the minimum (22.04).' });
const AV_PASS = verdict({ id: 'antivirus', check: 'antivirus.active', status: 'pass', severity: 'block', reason: 'ClamAV is on, scanning in real time, with current definitions.' });
const FIREWALL_PASS = verdict({ id: 'firewall', check: 'firewall.enabled', status: 'pass', severity: 'warn', reason: 'Firewall on: ufw.' });
const FIREWALL_FAIL = verdict({ id: 'firewall', check: 'firewall.enabled', status: 'fail', severity: 'warn', reason: 'Firewall off: ufw.' });

export const REASONS = {
  osInGrace: 'Ubuntu 20.04.6 is older than the minimum required (22.04).',
  firewallOff: 'Firewall off: ufw.',
  diskUnencrypted: 'Not encrypted and protected: / (ext4, not encrypted).',
  noAntivirus: 'No antivirus product was found.',
  diskUnknown: 'Could not determine whether the system disk is encrypted: cryptsetup did not answer in time.',
  firewallUnknown: 'Could not determine whether the firewall is on: reading it needs administrator rights.',
} as const;

function status(overrides: Partial<DaemonStatus> & Pick<DaemonStatus, 'state' | 'verdicts'>): DaemonStatus {
  return {
    deviceId: DEVICE_ID,
    service: SERVICE,
    enrolled: true,
    lastCheckAt: LAST_CHECK_AT,
    lastDeliveryAt: LAST_DELIVERY_AT,
    nextCheckAt: NEXT_CHECK_AT,
    checking: false,
    checkNotBefore: null,
    certificate: null,
    policy: POLICY,
    earStatus: null,
    tiers: [],
    resultExpiresAt: at(8),
    lastError: null,
    consecutiveFailures: 0,
    report: null,
    warnings: [],
    ...overrides,
  };
}

export const STATUSES: Readonly<Record<DaemonState, DaemonStatus>> = {
  compliant: status({
    state: 'compliant',
    earStatus: 'affirming',
    tiers: ['basic', 'strict'],
    verdicts: [DISK_PASS, OS_PASS, AV_PASS, FIREWALL_PASS],
  }),
  warning: status({
    state: 'warning',
    earStatus: 'warning',
    tiers: ['basic', 'strict'],
    verdicts: [
      DISK_PASS,
      verdict({ id: 'os-version', check: 'os.minimumVersion', status: 'fail', severity: 'block', reason: REASONS.osInGrace, graceDeadline: GRACE_DEADLINE }),
      AV_PASS,
      FIREWALL_FAIL,
    ],
  }),
  noncompliant: status({
    state: 'noncompliant',
    earStatus: 'contraindicated',
    tiers: [],
    verdicts: [
      verdict({ id: 'disk-encryption', check: 'diskEncryption.system', status: 'fail', severity: 'block', reason: REASONS.diskUnencrypted, blocking: true }),
      OS_PASS,
      verdict({ id: 'antivirus', check: 'antivirus.active', status: 'fail', severity: 'block', reason: REASONS.noAntivirus, blocking: true }),
      FIREWALL_FAIL,
    ],
  }),
  unknown: status({
    state: 'unknown',
    policy: 'posture-agent-default@2',
    lastDeliveryAt: null,
    verdicts: [
      verdict({ id: 'disk-encryption', check: 'diskEncryption.system', status: 'unknown', severity: 'block', reason: REASONS.diskUnknown }),
      OS_PASS,
      AV_PASS,
      verdict({ id: 'firewall', check: 'firewall.enabled', status: 'unknown', severity: 'warn', reason: REASONS.firewallUnknown }),
    ],
    lastError: {
      code: 'ERR_COMMAND_TIMEOUT',
      message: 'Reading the disk encryption state took too long: cryptsetup did not answer within 10 seconds.',
      at: at(-2),
      retryable: true,
    },
    warnings: ['The device key is kept in a file without OS protection, because no keychain is available.'],
  }),
  offline: status({
    state: 'offline',
    lastDeliveryAt: at(-95),
    nextCheckAt: at(4),
    consecutiveFailures: 3,
    verdicts: [DISK_PASS, OS_PASS, AV_PASS, FIREWALL_PASS],
    lastError: {
      code: 'ERR_SERVICE_UNREACHABLE',
      message: `Cannot connect to ${SERVICE}: the connection was refused. Retrying in 4 minutes.`,
      at: at(-2),
      retryable: true,
    },
  }),
};

export const TRAY_STATES: readonly DaemonState[] = ['compliant', 'warning', 'noncompliant', 'unknown', 'offline'];

export function trayView(state: DaemonState, overrides: Partial<TrayView> = {}): TrayView {
  return { ...buildTrayView(STATUSES[state], { platform: 'linux', startAtLogin: false, collected: COLLECTED }), ...overrides };
}

export const TRAY_VIEWS: Readonly<Record<DaemonState, TrayView>> = {
  compliant: trayView('compliant'),
  warning: trayView('warning'),
  noncompliant: trayView('noncompliant'),
  unknown: trayView('unknown'),
  offline: trayView('offline'),
};
