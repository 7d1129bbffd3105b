import type { z } from 'zod';
import type { Platform } from '../../shared/platform.js';
import type { PostureReport, SignalName } from '../../collectors/report.js';
import type { CheckOutcome } from '../types.js';

/** The zod namespace: a check builds its parameters' schema with it only when a policy is validated, so judging a report loads no zod. */
export type Zod = typeof z;

/** A built-in check type: what a policy rule's `check:` names. */
export interface CheckDefinition<Params = unknown> {
  type: string;
  /** What it asks, in a few words (docs and the tray's "what is collected"). */
  title: string;
  signal: SignalName;
  /** The schema of the rule's `params`, built with the zod namespace it is given. */
  params: (zod: Zod) => z.ZodType<Params>;
  evaluate(report: PostureReport, params: Params, now: Date): CheckOutcome;
  /** Default remediation per OS when the policy gives none. */
  remediation: Readonly<Record<Platform, string>>;
}

export function defineCheck<Params>(definition: CheckDefinition<Params>): CheckDefinition<Params> {
  return definition;
}

/** An `unknown` outcome that says why, from the report's errors for the signal. */
export function unknownOutcome(report: PostureReport, signal: SignalName, what: string): CheckOutcome {
  const reasons = report.errors.filter((error) => error.signal === signal).map((error) => error.message);
  const because = reasons.length > 0 ? `: ${reasons.join(' ')}` : '.';
  return { status: 'unknown', reason: `Could not determine ${what}${because}` };
}

export const PLATFORM_NAMES: Readonly<Record<Platform, string>> = { win32: 'Windows', darwin: 'macOS', linux: 'Linux' };
