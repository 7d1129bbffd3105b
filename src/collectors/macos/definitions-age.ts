/**
 * When a product's definitions count as current: installed within the last 30 days of the check
 * (the darwin collectors' rule for XProtect and for EDR agents that publish a signature date).
 */
export const MAX_DEFINITIONS_AGE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export function isWithinMaxAge(installedAt: string, now: Date): boolean {
  return now.getTime() - Date.parse(installedAt) <= MAX_DEFINITIONS_AGE_DAYS * DAY_MS;
}
