/**
 * `os.maxDaysBehind`: how long the device has been missing an OS release that is out, measured
 * against a table of releases and their dates that the policy carries (Duo's "OS currency in
 * days"). The table is the policy's, so the check needs no network and no date the agent guesses.
 */
import type { z } from 'zod';
import type { PostureReport } from '../../collectors/report.js';
import type { CheckOutcome } from '../types.js';
import { compareParsedVersions, parseVersion, type ParsedVersion } from '../version.js';
import { defineCheck, PLATFORM_NAMES, unknownOutcome, type Zod } from './check.js';
import { comparableVersion, osLabel } from './os-version.js';
import { forPlatform, perPlatform } from './per-platform.js';

const DAY_MS = 86_400_000;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** `2024-10-28` that is a real calendar day, as midnight UTC; null otherwise. */
function dayOf(text: string): number | null {
  if (!DATE_PATTERN.test(text)) return null;
  const time = Date.parse(`${text}T00:00:00.000Z`);
  return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text ? null : time;
}

function params(z: Zod) {
  const releaseDate = z.string().refine((text) => dayOf(text) !== null, { message: 'expected a release date such as "2024-10-28"' });

  /** Version (or version prefix) -> the day it came out: `{ "15.1": "2024-10-28", "15.2": "2024-12-11" }`. */
  const releaseTable = z.record(z.string(), releaseDate).superRefine((table, ctx) => {
    const versions = Object.keys(table);
    if (versions.length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one release ("version": "YYYY-MM-DD")' });
    for (const version of versions) {
      if (parseVersion(version) === null) {
        ctx.addIssue({ code: 'custom', path: [version], message: `"${version}" is not a version such as "15.1", "10.0.26100.2314" or "24.04"` });
      }
    }
  });

  return z.strictObject({
    /** Days a device may stay behind a newer release once it is out: `30` or `{ win32: 30, darwin: 45, linux: 60 }`. */
    maxDays: perPlatform(z, z.number().int().min(0).max(3650)),
    releases: z.strictObject({
      win32: releaseTable.optional(),
      darwin: releaseTable.optional(),
      /** By os-release ID, like os.minimumVersion. */
      linux: z.record(z.string().regex(/^[a-z0-9._-]+$/, 'expected an os-release ID such as ubuntu'), releaseTable).optional(),
    }),
  });
}

type ReleaseTable = Readonly<Record<string, string>>;

interface Release {
  text: string;
  version: ParsedVersion;
  day: number;
}

/** The version to compare: Windows build with UBR, macOS with its Rapid Security Response (as os.minimumVersion). */
function isoDay(day: number): string {
  return new Date(day).toISOString().slice(0, 10);
}

function plural(value: number, one: string, many: string): string {
  return `${value} ${value === 1 ? one : many}`;
}

/** The policy's table for this device, or why there is none. */
function tableFor(report: PostureReport, releases: z.output<ReturnType<typeof params>>['releases']): { table: ReleaseTable } | { outcome: CheckOutcome } {
  const { os } = report;
  const none = (what: string) => ({ outcome: { status: 'unknown', reason: `This policy lists no ${what} to compare ${osLabel(os)} with.` } as const });
  if (os.platform !== 'linux') {
    const table = releases[os.platform];
    return table ? { table } : none(`${PLATFORM_NAMES[os.platform]} releases`);
  }
  if (!os.id) return { outcome: unknownOutcome(report, 'os', 'which Linux distribution this is') };
  const table = releases.linux?.[os.id];
  return table ? { table } : none(`releases of ${os.name ?? os.id}`);
}

/** Releases, newest version first. */
function newestFirst(releases: readonly Release[]): Release[] {
  return [...releases].sort((a, b) => compareParsedVersions(b.version, a.version));
}

function judge(report: PostureReport, table: ReleaseTable, maxDays: number, now: Date): CheckOutcome {
  const { os } = report;
  const shown = comparableVersion(os);
  if (shown === null) return unknownOutcome(report, 'os', `the version of ${osLabel(os)}`);
  const device = parseVersion(shown);
  if (!device) return { status: 'unknown', reason: `Could not read a comparable version for ${osLabel(os)}.` };

  const released = Object.entries(table)
    .map(([text, date]) => ({ text, version: parseVersion(text)!, day: dayOf(date)! }))
    .filter((release) => release.day <= now.getTime());
  if (released.length === 0) return { status: 'unknown', reason: `No release this policy lists for ${osLabel(os)} has come out yet.` };

  const missing = released.filter((release) => compareParsedVersions(device, release.version) < 0);
  const reached = newestFirst(released.filter((release) => compareParsedVersions(device, release.version) >= 0))[0];
  if (missing.length === 0) {
    return { status: 'pass', reason: `${osLabel(os)} is at or past the newest release this policy lists (${reached!.text}, out ${isoDay(reached!.day)}).` };
  }

  // Windows without the update revision: 10.0.26100 cannot be compared with 10.0.26100.2314.
  if (os.platform === 'win32' && os.build === null && missing.some((release) => sameLine(device, release.version))) {
    return unknownOutcome(report, 'os', `the update revision of ${osLabel(os)}, which the releases this policy lists need`);
  }

  const newest = newestFirst(missing)[0]!;
  const first = missing.reduce((earliest, release) => (release.day < earliest.day ? release : earliest));
  const days = Math.floor((now.getTime() - first.day) / DAY_MS);
  const behind = `${first.text} came out on ${isoDay(first.day)}, ${plural(days, 'day', 'days')} ago`;
  const target = newest === first ? '' : ` (the newest listed is ${newest.text}, out ${isoDay(newest.day)})`;
  if (days > maxDays) {
    const atLeast = reached === undefined ? ' at least' : '';
    return { status: 'fail', reason: `${osLabel(os)} is${atLeast} ${plural(days, 'day', 'days')} behind: ${behind}${target}; at most ${plural(maxDays, 'day is', 'days are')} allowed.` };
  }
  if (reached === undefined) {
    return { status: 'unknown', reason: `${osLabel(os)} is older than every release this policy lists (the oldest is ${first.text}), so how long it has been behind is not known.` };
  }
  return { status: 'pass', reason: `${osLabel(os)} is behind by ${plural(days, 'day', 'days')}: ${behind}${target}; up to ${plural(maxDays, 'day is', 'days are')} allowed to install it.` };
}

/** Whether `release` only adds components to `device` (10.0.26100 vs 10.0.26100.2314). */
function sameLine(device: ParsedVersion, release: ParsedVersion): boolean {
  return release.numbers.length > device.numbers.length && device.numbers.every((number, index) => release.numbers[index] === number);
}

export const osMaxDaysBehind = defineCheck({
  type: 'os.maxDaysBehind',
  title: 'The operating system is not long behind its newest release',
  signal: 'os',
  params,
  evaluate(report, checkParams, now) {
    const maxDays = forPlatform(checkParams.maxDays, report.os.platform);
    if (maxDays === undefined) return { status: 'unknown', reason: `This policy sets no maximum days behind for ${PLATFORM_NAMES[report.os.platform]}.` };
    const found = tableFor(report, checkParams.releases);
    return 'outcome' in found ? found.outcome : judge(report, found.table, maxDays, now);
  },
  remediation: {
    win32: 'Install the latest updates: Settings > Windows Update > Check for updates, install everything offered (including the feature update, if IT asks for it), then restart.',
    darwin: 'Install the latest macOS update: System Settings > General > Software Update, click "Update Now" (or "Upgrade Now"), and let the Mac restart.',
    linux: 'Install the latest updates (for example "sudo apt update && sudo apt full-upgrade"), or upgrade to the newest release (Ubuntu: "sudo do-release-upgrade"), then restart.',
  },
});
