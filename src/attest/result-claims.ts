/** The Result token (design §3, modelled on EAR, draft-ietf-rats-ear): what the service signs for gateways. */
import type { EarStatus, Severity, CheckStatus } from '../policy/types.js';

export interface ResultCheck {
  id: string;
  status: CheckStatus;
  severity: Severity;
}

export interface ResultClaims {
  iss: string;
  aud: string;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  eat_profile: string;
  ear_status: EarStatus;
  ear_verifier_id: { developer: string; build: string };
  ear_appraisal_policy_ids: string[];
  cnf: { jkt: string };
  posture_tiers: string[];
  posture_checks: ResultCheck[];
}

export const EAR_STATUSES: readonly EarStatus[] = ['affirming', 'warning', 'contraindicated', 'none'];
