/** Runs one rule of a check type through the real policy validation and evaluator. */
import type { PostureReport } from '../../../src/collectors/report.js';
import { evaluatePolicy } from '../../../src/policy/evaluate.js';
import { validatePolicy } from '../../../src/policy/parse-policy.js';
import { parsePolicy } from '../../../src/policy/parse-policy-text.js';
import type { Verdict } from '../../../src/policy/types.js';
import { AgentError } from '../../../src/shared/errors.js';

export const NOW = new Date('2026-11-22T10:00:00.000Z');

/** The verdict of a one-rule policy `{ check, params }` (severity block, no grace) on `report`. */
export function verdictOf(check: string, params: unknown, report: PostureReport, now = NOW): Verdict {
  const rule = { id: 'rule', check, severity: 'block', ...(params === undefined ? {} : { params }) };
  const policy = validatePolicy({ id: 'test', version: 1, rules: [rule] }, 'test');
  return evaluatePolicy(policy, report, { now }).verdicts[0]!;
}

/** The refusal message of a YAML policy with one rule (`rule` is the YAML of the rule's mapping, flow style). */
export function refusalOf(rule: string): string {
  try {
    parsePolicy(`id: test\nversion: 1\nrules:\n  - ${rule}\n`, 'test.yaml');
  } catch (error) {
    if (error instanceof AgentError && error.code === 'ERR_POLICY_INVALID') return error.message;
    throw error;
  }
  throw new Error(`the policy was accepted: ${rule}`);
}
