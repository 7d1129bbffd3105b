/**
 * The evaluator: a pure function (policy, report, now, failing-since memory) -> verdicts. The
 * agent uses it to tell the employee; the service uses the same code to appraise Evidence.
 */
import type { PostureReport } from '../collectors/report.js';
import { CHECKS } from './checks/index.js';
import type { CheckOutcome, ComplianceStatus, EarStatus, Evaluation, Policy, PolicyRule, Verdict } from './types.js';

export interface EvaluateOptions {
  now: Date;
  /** Rule id -> when it started failing, from the previous evaluation of this device. */
  failingSince?: Readonly<Record<string, string>>;
}

function outcomeOf(rule: PolicyRule, report: PostureReport, now: Date): CheckOutcome {
  const check = CHECKS.get(rule.check);
  if (!check) return { status: 'unknown', reason: `This agent does not know the check "${rule.check}".` };
  return check.evaluate(report, rule.params, now);
}

function verdictFor(rule: PolicyRule, policy: Policy, report: PostureReport, options: EvaluateOptions): Verdict {
  const { now } = options;
  const outcome = outcomeOf(rule, report, now);
  const base = { id: rule.id, check: rule.check, severity: rule.severity, status: outcome.status, reason: outcome.reason };
  if (outcome.status === 'pass') return { ...base, remediation: null, failingSince: null, graceDeadline: null, blocking: false };

  const remembered = options.failingSince?.[rule.id];
  const since = remembered !== undefined && !Number.isNaN(Date.parse(remembered)) ? new Date(remembered) : now;
  const deadline = new Date(since.getTime() + policy.gracePeriodMs);
  const inGrace = rule.severity === 'block' && policy.gracePeriodMs > 0 && now < deadline;
  const platform = report.os.platform;
  return {
    ...base,
    remediation: rule.remediation?.[platform] ?? CHECKS.get(rule.check)?.remediation[platform] ?? null,
    failingSince: since.toISOString(),
    graceDeadline: inGrace ? deadline.toISOString() : null,
    blocking: rule.severity === 'block' && !inGrace,
  };
}

function overall(verdicts: readonly Verdict[]): { status: ComplianceStatus; earStatus: EarStatus } {
  if (verdicts.some((verdict) => verdict.blocking)) return { status: 'noncompliant', earStatus: 'contraindicated' };
  if (verdicts.some((verdict) => verdict.status !== 'pass')) return { status: 'warning', earStatus: 'warning' };
  return { status: 'compliant', earStatus: 'affirming' };
}

export function evaluatePolicy(policy: Policy, report: PostureReport, options: EvaluateOptions): Evaluation {
  const verdicts = policy.rules.map((rule) => verdictFor(rule, policy, report, options));
  const byId = new Map(verdicts.map((verdict) => [verdict.id, verdict]));
  const tiers = Object.entries(policy.tiers)
    .filter(([, ruleIds]) => ruleIds.every((ruleId) => byId.get(ruleId)?.blocking === false))
    .map(([tier]) => tier);
  const failingSince: Record<string, string> = {};
  for (const verdict of verdicts) if (verdict.failingSince) failingSince[verdict.id] = verdict.failingSince;
  return { policy: { id: policy.id, version: policy.version }, ...overall(verdicts), verdicts, tiers, failingSince };
}
