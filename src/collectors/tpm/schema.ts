/**
 * The `tpm` signal: the device's hardware security module. On Windows and Linux a Trusted Platform
 * Module (TCG TPM 1.2 or 2.0); on a Mac the Secure Enclave (Apple silicon, or the T1/T2 chip of
 * an Intel Mac), which plays the same part (Apple Platform Security, "Secure Enclave").
 *
 * `status` says whether the OS can see one:
 * - present: a TPM or Secure Enclave was found, whatever its state (`enabled` and `ready` say more);
 * - absent: every source that could show one was read and none did;
 * - unknown: the sources could not be read (the report's errors say why). Unknown is never a pass.
 *
 * The other fields describe what was found and are null when nothing was found or the OS does not
 * tell: `enabled` is the TPM's own enabled/activated state (TPM 1.2 has both, both must be on;
 * Windows' TpmEnabled and TpmActivated, Linux's device/enabled and device/active), `ready` whether
 * the OS can use it now (Windows' TpmReady or tpmtool's "Ready For Storage"; on Linux a TPM 2.0
 * whose character device exists, a TPM 1.2 that is enabled, active and owned).
 */
import type { z } from 'zod';
import type { tpmSchema } from './zod-schema.js';
import type { ErrorCode } from '../../shared/errors.js';

export const TPM_STATUSES = ['present', 'absent', 'unknown'] as const;
export const TPM_KINDS = ['tpm', 'secure-enclave'] as const;
export const TPM_SPEC_VERSIONS = ['1.2', '2.0'] as const;

export type Tpm = z.infer<typeof tpmSchema>;
export type TpmStatus = Tpm['status'];
export type TpmSpecVersion = NonNullable<Tpm['specVersion']>;

/** Why a field is null although the source was read: for the report's errors. */
export interface TpmProblem {
  code: ErrorCode;
  message: string;
}

export const UNKNOWN_TPM: Tpm = {
  status: 'unknown',
  kind: null,
  specVersion: null,
  manufacturer: null,
  enabled: null,
  ready: null,
  source: null,
};

/** The status rule: found → present, known not found → absent, not known → unknown. */
export function deriveTpmStatus(found: boolean | null): TpmStatus {
  if (found === true) return 'present';
  if (found === false) return 'absent';
  return 'unknown';
}

/** No TPM: nothing to describe, only where that was read. */
export function absentTpm(source: string): Tpm {
  return { ...UNKNOWN_TPM, status: deriveTpmStatus(false), source };
}

/** The leading `major.minor` of a TPM spec version text ("2.0", "2.0, 0, 1.38", "1.2"), as the schema knows it. */
export function specVersionOf(text: string | null | undefined): TpmSpecVersion | null {
  const match = /^\s*(\d+)\.(\d+)/.exec(text ?? '');
  if (!match) return null;
  const version = `${Number(match[1])}.${Number(match[2])}`;
  return version === '1.2' || version === '2.0' ? version : null;
}
