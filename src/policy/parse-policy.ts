/**
 * Policies (design §4) checked against the schema. A bad policy is refused with the path of each
 * bad field, e.g. `rules[1].params.linux.ubuntu: expected a version ...`. Reading YAML or JSON
 * text is parse-policy-text.ts (it loads the YAML parser, which the daemon does not need).
 */
import { z } from 'zod';
import { AgentError } from '../shared/errors.js';
import { parseDuration } from '../shared/duration.js';
import { CHECKS, type CheckDefinition } from './checks/index.js';
import type { Policy, PolicyRule } from './types.js';

const identifier = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected lower-case letters, digits, ".", "_" or "-" (at most 64)');

const ruleSchema = z.strictObject({
  id: identifier,
  check: z.string().min(1),
  severity: z.enum(['block', 'warn']),
  params: z.unknown().optional(),
  description: z.string().optional(),
  remediation: z
    .strictObject({ win32: z.string().min(1).optional(), darwin: z.string().min(1).optional(), linux: z.string().min(1).optional() })
    .optional(),
});

const policySchema = z.strictObject({
  id: identifier,
  version: z.number().int().nonnegative(),
  description: z.string().optional(),
  rules: z.array(ruleSchema).min(1, 'a policy needs at least one rule'),
  tiers: z.record(identifier, z.array(z.string())).optional(),
  gracePeriod: z.union([z.string(), z.literal(0)]).optional(),
});

type Issue = { path: readonly PropertyKey[]; message: string };

const paramsSchemas = new Map<CheckDefinition, z.ZodType>();

/** A check's parameter schema, built on first use. */
function paramsSchema(check: CheckDefinition): z.ZodType {
  let schema = paramsSchemas.get(check);
  if (!schema) {
    schema = check.params(z);
    paramsSchemas.set(check, schema);
  }
  return schema;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text || '(top level)';
}

function refuse(source: string, issues: readonly Issue[]): never {
  const shown = issues.slice(0, 5).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  throw new AgentError('ERR_POLICY_INVALID', `Policy ${source} is invalid: ${shown.join('; ')}${more}.`);
}

/** Validates an already-parsed policy document (an object from YAML, JSON or code). */
export function validatePolicy(document: unknown, source = '(built in)'): Policy {
  const parsed = policySchema.safeParse(document);
  if (!parsed.success) refuse(source, parsed.error.issues);
  const file = parsed.data;
  const issues: Issue[] = [];
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();

  file.rules.forEach((rule, index) => {
    if (seen.has(rule.id)) issues.push({ path: ['rules', index, 'id'], message: `duplicate rule id "${rule.id}"` });
    seen.add(rule.id);
    const check = CHECKS.get(rule.check);
    if (!check) {
      issues.push({ path: ['rules', index, 'check'], message: `unknown check "${rule.check}"; known checks: ${[...CHECKS.keys()].join(', ')}` });
      return;
    }
    const params = paramsSchema(check).safeParse(rule.params);
    if (!params.success) {
      for (const issue of params.error.issues) issues.push({ path: ['rules', index, 'params', ...issue.path], message: issue.message });
      return;
    }
    rules.push({ ...rule, params: params.data });
  });

  const tiers = file.tiers ?? {};
  for (const [tier, ruleIds] of Object.entries(tiers)) {
    ruleIds.forEach((ruleId, index) => {
      if (!seen.has(ruleId)) issues.push({ path: ['tiers', tier, index], message: `no rule has id "${ruleId}"` });
    });
  }

  let gracePeriodMs = 0;
  if (file.gracePeriod !== undefined) {
    const parsedGrace = parseDuration(String(file.gracePeriod));
    if (parsedGrace === null) issues.push({ path: ['gracePeriod'], message: 'expected a duration such as "72h", "3d" or "0"' });
    else gracePeriodMs = parsedGrace;
  }

  if (issues.length > 0) refuse(source, issues);
  return {
    id: file.id,
    version: file.version,
    ...(file.description !== undefined ? { description: file.description } : {}),
    rules,
    tiers,
    gracePeriodMs,
  };
}
