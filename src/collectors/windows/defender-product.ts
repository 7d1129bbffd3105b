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
 * - AntivirusSignatureAge is the signatures' age in whole days (MS Learn MSFT_MpComputerStatus). When
 *   the date is missing (older platforms, a probe cut short, W4/01), unreadable or the epoch, the
 *   date is derived from the age and the check's time, so the policy judges the age itself
 *   (antivirus.active maxDefinitionsAgeDays) and not only Defender's own out-of-date flag.
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
/** FILETIME zero (1601-01-01) shifted by a time zone can print as 1600-12-31: anything before 1602 is "never". */
const FILETIME_EPOCH_END = Date.UTC(1602, 0, 1);
const DAY_MS = 86_400_000;
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

function reportedDate(value: string | null): string | null {
  if (value === null || !ISO_DATE.test(value)) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) || time < FILETIME_EPOCH_END ? null : new Date(time).toISOString();
}

/** A real age in days: a whole number, not one of the "no signatures" sentinels. */
function realAgeDays(age: number | null): number | null {
  if (age === null || !Number.isSafeInteger(age) || age < 0 || NO_SIGNATURES.includes(age)) return null;
  return age;
}

/**
 * AntivirusSignatureLastUpdated when it is a real date, else the check's time less
 * AntivirusSignatureAge days (so the policy computes exactly that age); null without either.
 */
export function definitionsDate(status: Pick<DefenderStatus, 'antivirusSignatureAge' | 'antivirusSignatureLastUpdated'>, now: Date | null): string | null {
  const reported = reportedDate(status.antivirusSignatureLastUpdated);
  if (reported !== null) return reported;
  const age = realAgeDays(status.antivirusSignatureAge);
  return age === null || now === null ? null : new Date(now.getTime() - age * DAY_MS).toISOString();
}

/**
 * `securityCenterUpToDate` is what Security Center's entry for Defender says about the signatures,
 * used only when Defender itself does not say (platforms without DefenderSignaturesOutOfDate).
 * `now` is the check's time, needed only to turn AntivirusSignatureAge into a date; without it
 * (null) a missing date stays null.
 */
export function defenderProduct(status: DefenderStatus, securityCenterUpToDate: boolean | null, now: Date | null = null): AntivirusProduct {
  const notRunning = status.amRunningMode?.trim().toLowerCase() === NOT_RUNNING;
  const enabled = notRunning ? false : both(status.amServiceEnabled, status.antivirusEnabled);
  const version = status.amProductVersion?.trim();
  return {
    name: DEFENDER_NAME,
    enabled,
    realTime: realTime(status, enabled),
    upToDate: upToDate(status, securityCenterUpToDate),
    definitionsUpdatedAt: definitionsDate(status, now),
    state: status.amRunningMode,
    version: version && version !== NO_VERSION ? version : null,
  };
}
