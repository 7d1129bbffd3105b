/**
 * Microsoft Defender Antivirus as a report product, from MSFT_MpComputerStatus (the class behind
 * Get-MpComputerStatus; shared fixtures README, W4). Pure. Health combines AMRunningMode,
 * AMServiceEnabled, AntivirusEnabled, RealTimeProtectionEnabled and the signature fields:
 * - AMRunningMode (MS Learn "Microsoft Defender Antivirus compatibility"): `Normal`, `Passive Mode`,
 *   `SxS Passive Mode`, `EDR Block Mode`, `Not running`. Only Normal scans in real time; in the
 *   others another product protects (or nothing does). Older platforms lack the property.
 * - AntivirusSignatureAge 65535 or 4294967295 means there are no signatures at all.
 * - DefenderSignaturesOutOfDate, where the platform has it, is Defender's own verdict on the age.
 * - AntivirusSignatureLastUpdated at the FILETIME epoch (1601) means never.
 */
import type { AntivirusProduct } from '../antivirus/schema.js';

const DEFENDER_NAME = 'Microsoft Defender Antivirus';

export interface DefenderStatus {
  amRunningMode: string | null;
  amServiceEnabled: boolean | null;
  antivirusEnabled: boolean | null;
  realTimeProtectionEnabled: boolean | null;
  antivirusSignatureAge: number | null;
  /** UTC ISO 8601 (`2025-10-16T07:07:36Z`) as the probe prints it. */
  antivirusSignatureLastUpdated: string | null;
  defenderSignaturesOutOfDate: boolean | null;
  amProductVersion: string | null;
}

const NORMAL_MODE = 'normal';
const NOT_SCANNING_MODES = ['passive mode', 'sxs passive mode', 'edr block mode', 'not running'];
const NOT_RUNNING = 'not running';
const NO_SIGNATURES = [65535, 4294967295];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const FILETIME_EPOCH_YEAR = '1601';
const NO_VERSION = '0.0.0.0';

function both(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}

function realTime(status: DefenderStatus, enabled: boolean | null): boolean | null {
  if (enabled === false) return false;
  const mode = status.amRunningMode?.trim().toLowerCase() ?? null;
  if (mode === null || mode === NORMAL_MODE) return status.realTimeProtectionEnabled;
  if (NOT_SCANNING_MODES.includes(mode)) return false;
  // A mode this code does not know: only a "no" is certain.
  return status.realTimeProtectionEnabled === false ? false : null;
}

function upToDate(status: DefenderStatus, securityCenterVerdict: boolean | null): boolean | null {
  if (status.antivirusSignatureAge !== null && NO_SIGNATURES.includes(status.antivirusSignatureAge)) return false;
  if (status.defenderSignaturesOutOfDate !== null) return !status.defenderSignaturesOutOfDate;
  return securityCenterVerdict;
}

function definitionsDate(value: string | null): string | null {
  if (value === null || !ISO_DATE.test(value) || value.startsWith(FILETIME_EPOCH_YEAR)) return null;
  return new Date(value).toISOString();
}

/**
 * `securityCenterUpToDate` is what Security Center's entry for Defender says about the signatures,
 * used only when Defender itself does not say (platforms without DefenderSignaturesOutOfDate).
 */
export function defenderProduct(status: DefenderStatus, securityCenterUpToDate: boolean | null): AntivirusProduct {
  const notRunning = status.amRunningMode?.trim().toLowerCase() === NOT_RUNNING;
  const enabled = notRunning ? false : both(status.amServiceEnabled, status.antivirusEnabled);
  const version = status.amProductVersion?.trim();
  return {
    name: DEFENDER_NAME,
    enabled,
    realTime: realTime(status, enabled),
    upToDate: upToDate(status, securityCenterUpToDate),
    definitionsUpdatedAt: definitionsDate(status.antivirusSignatureLastUpdated),
    state: status.amRunningMode,
    version: version && version !== NO_VERSION ? version : null,
  };
}
