/**
 * The built-in policy, used when no --policy is given: the baseline most security teams start
 * from (design §4). Versions are the oldest releases still receiving security updates as of
 * November 2026; keep them current with each release.
 */
import { parseDuration } from '../shared/duration.js';
import type { Policy, PolicyRule } from './types.js';

/** The built-in policy as a policy file would say it. */
export interface PolicyDocument {
  id: string;
  version: number;
  description: string;
  rules: PolicyRule[];
  tiers: Record<string, string[]>;
  gracePeriod: string;
}

export const DEFAULT_POLICY_DOCUMENT: PolicyDocument = {
  id: 'posture-agent-default',
  version: 2,
  description: 'Built-in baseline: encrypted system disk, supported OS, working antivirus, firewall on, screen lock within 15 minutes, automatic updates.',
  rules: [
    { id: 'disk-encryption', check: 'diskEncryption.system', severity: 'block' },
    {
      id: 'os-version',
      check: 'os.minimumVersion',
      severity: 'block',
      params: {
        win32: '10.0.26100',
        darwin: '15.0',
        linux: {
          ubuntu: '22.04',
          debian: '12',
          fedora: '43',
          rhel: '9',
          rocky: '9',
          almalinux: '9',
          centos: '9',
          amzn: '2023',
          'opensuse-leap': '15.6',
          'opensuse-tumbleweed': 'rolling',
          sles: '15.6',
          linuxmint: '21',
          pop: '22.04',
          elementary: '7',
          zorin: '17',
          arch: 'rolling',
          manjaro: 'rolling',
          endeavouros: 'rolling',
          alpine: '3.20',
          nixos: '25.05',
        },
      },
    },
    { id: 'antivirus', check: 'antivirus.active', severity: 'block', params: { maxDefinitionsAgeDays: { win32: 7, darwin: 30, linux: 7 } } },
    { id: 'firewall', check: 'firewall.enabled', severity: 'warn' },
    { id: 'screen-lock', check: 'screenLock.maxDelaySeconds', severity: 'block', params: { seconds: 900 } },
    { id: 'os-updates', check: 'osUpdates.automatic', severity: 'warn' },
  ],
  tiers: {
    basic: ['disk-encryption'],
    strict: ['disk-encryption', 'os-version', 'antivirus', 'firewall', 'screen-lock', 'os-updates'],
  },
  gracePeriod: '72h',
};

/**
 * The built-in policy as the evaluator takes it: what validatePolicy makes of the document (a test
 * holds the two equal), built without the schema library so that a one-shot check does not load it.
 */
export const DEFAULT_POLICY: Policy = {
  id: DEFAULT_POLICY_DOCUMENT.id,
  version: DEFAULT_POLICY_DOCUMENT.version,
  description: DEFAULT_POLICY_DOCUMENT.description,
  rules: DEFAULT_POLICY_DOCUMENT.rules,
  tiers: DEFAULT_POLICY_DOCUMENT.tiers,
  gracePeriodMs: parseDuration(DEFAULT_POLICY_DOCUMENT.gracePeriod)!,
};
