/** The JSON the console reads: the admin API's answers (docs/openapi.yaml), as far as the pages use them. */

export type DeviceState = 'compliant' | 'warning' | 'noncompliant' | 'stale' | 'revoked' | 'unappraised';
export const DEVICE_STATES: readonly DeviceState[] = ['compliant', 'warning', 'noncompliant', 'stale', 'revoked', 'unappraised'];
export type ComplianceStatus = 'compliant' | 'warning' | 'noncompliant';

export interface Session {
  subject: string;
  name: string | null;
  email: string | null;
  role: 'admin' | 'viewer';
  csrfToken: string;
  expiresAt: string;
}

export interface DeviceListItem {
  id: string;
  hostname: string | null;
  serial: string | null;
  owner: string | null;
  platform: string | null;
  os: { name: string | null; version: string | null };
  enrolledAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  state: DeviceState;
  latest: { status: ComplianceStatus; policy: string; at: string } | null;
  failing: string[];
}

export interface DeviceList {
  devices: DeviceListItem[];
  nextCursor: string | null;
}

export interface Verdict {
  id: string;
  check: string;
  status: 'pass' | 'fail' | 'unknown';
  severity: 'block' | 'warn';
  reason: string;
  remediation: string | null;
  failingSince: string | null;
  graceDeadline: string | null;
  blocking: boolean;
}

export interface AuditEntry {
  at: string;
  actor: string;
  source: string | null;
  action: string;
  deviceId: string | null;
  detail: Record<string, string | null> | null;
}

export interface DeviceDetail {
  id: string;
  kid: string;
  hostname: string | null;
  platform: string | null;
  owner: string | null;
  serial: string | null;
  os: { name: string | null; version: string | null };
  state: DeviceState;
  enrolledAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  resetAt: string | null;
  latest: { status: ComplianceStatus; policy: string; tiers: string[]; at: string } | null;
  appraisals: { at: string; status: ComplianceStatus; policy: string; verdicts: Verdict[] }[];
  audit: AuditEntry[];
  certificates: { serial: string; tlsKeyThumbprint: string; issuedAt: string; notBefore: string; expiresAt: string }[];
}

export interface TimelineEntry {
  at: string;
  status: ComplianceStatus;
  previousStatus: ComplianceStatus | null;
  statusChanged: boolean;
  policy: string;
  tiers: string[];
  failing: string[];
}

export interface Timeline {
  entries: TimelineEntry[];
  nextCursor: string | null;
}

export interface Overview {
  generatedAt: string;
  policy: string;
  total: number;
  states: Record<DeviceState, number>;
  failingRules: { id: string; title: string; severity: string | null; devices: number }[];
  compliance: { day: string; counts: Record<DeviceState, number> }[];
  notSeen: { count: number; since: string; devices: DeviceListItem[] };
}

export interface PolicyView {
  policy: {
    id: string;
    version: number;
    ref: string;
    description: string | null;
    gracePeriodSeconds: number;
    rules: { id: string; check: string; title: string; severity: 'block' | 'warn'; description: string | null; failingDevices: number }[];
    tiers: Record<string, string[]>;
  };
}

export interface EnrollmentToken {
  id: string;
  usesLeft: number;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  note: string | null;
  state: 'active' | 'used-up' | 'expired' | 'revoked';
}

export interface ApiKey {
  id: string;
  role: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}
