/** Policy (design §4, a contract for the file's top level) and what evaluating it yields. */
import type { Platform } from '../shared/platform.js';

export type Severity = 'block' | 'warn';
export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface PolicyRule {
  id: string;
  check: string;
  severity: Severity;
  params?: unknown;
  description?: string;
  remediation?: Partial<Record<Platform, string>>;
}

export interface Policy {
  id: string;
  version: number;
  description?: string;
  rules: PolicyRule[];
  tiers: Record<string, string[]>;
  /** Milliseconds a newly failing block rule only warns; 0 when the policy has none. */
  gracePeriodMs: number;
}

/** What one check concluded about one report. */
export interface CheckOutcome {
  status: CheckStatus;
  /** Plain words for the employee and the admin: what was found. */
  reason: string;
}

export interface Verdict {
  id: string;
  check: string;
  status: CheckStatus;
  severity: Severity;
  reason: string;
  /** What to do, for this device's OS; null when the rule passes. */
  remediation: string | null;
  /** When this rule started failing (kept across checks by the caller); null when it passes. */
  failingSince: string | null;
  /** Until when a failing block rule only warns; null when not in a grace period. */
  graceDeadline: string | null;
  /** True when this verdict denies access: a block rule that does not pass, outside its grace period. */
  blocking: boolean;
}

export type ComplianceStatus = 'compliant' | 'warning' | 'noncompliant';
/** EAR trust tiers (draft-ietf-rats-ear) as used by the Result token (design §3). */
export type EarStatus = 'affirming' | 'warning' | 'contraindicated' | 'none';

export interface Evaluation {
  policy: { id: string; version: number };
  status: ComplianceStatus;
  earStatus: EarStatus;
  verdicts: Verdict[];
  /** Tiers this device satisfies: none of their rules is blocking. */
  tiers: string[];
  /** Rule id -> when it started failing; store it and pass it to the next evaluation. */
  failingSince: Record<string, string>;
}
