/**
 * The daemon's judgement on this device: the built-in policy, evaluated with the same grace-period
 * memory `posture-agent check` keeps (failing-since.json), on every posture the daemon collects,
 * delivered or not. Shown while there is no Result (not enrolled, delivery paused before the first
 * Result); kept current on every check so `check`, the status and the tray show one grace deadline.
 */
import type { Logger } from 'pino';
import { collectPosture, type Host, type UserSessionSource } from '../../collectors/index.js';
import type { PostureReport } from '../../collectors/report.js';
import { DEFAULT_POLICY } from '../../policy/default-policy.js';
import { evaluateRemembering } from '../run-check.js';
import type { LocalEvaluation } from './status.js';

export interface LocalCheckDeps {
  host: Host;
  stateDir: string;
  log: Logger;
  /** Where the per-user signals (screen lock) come from. */
  userSession: UserSessionSource;
}

/**
 * Evaluates a report the daemon collected against the built-in policy, counting grace from the
 * remembered failures, and remembers this evaluation's; a memory that cannot be kept is logged, never fatal.
 */
export async function evaluateLocally(deps: LocalCheckDeps, report: PostureReport, at: Date): Promise<LocalEvaluation> {
  const { evaluation, notes, remember } = await evaluateRemembering({ policy: DEFAULT_POLICY, report, now: at, stateDir: deps.stateDir });
  await remember();
  for (const note of notes) deps.log.warn({ note }, 'grace-period memory not kept');
  return { policy: `${DEFAULT_POLICY.id}@${DEFAULT_POLICY.version} (on this device)`, verdicts: evaluation.verdicts };
}

/** Collects posture for this device only (nothing is delivered) and evaluates it. */
export async function checkLocally(deps: LocalCheckDeps, deviceId: string | null, at: Date): Promise<{ report: PostureReport; local: LocalEvaluation }> {
  const report = await collectPosture(deps.host, { deviceId, now: at, userSession: deps.userSession });
  return { report, local: await evaluateLocally(deps, report, at) };
}
