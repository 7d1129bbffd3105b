import type { OsInfo } from '../../collectors/os/schema.js';
import type { CheckOutcome } from '../types.js';
import { meetsMinimum, parseVersion, type ParsedVersion } from '../version.js';
import { defineCheck, PLATFORM_NAMES, unknownOutcome, type Zod } from './check.js';

const ROLLING = 'rolling';

function params(z: Zod) {
  const version = z.string().refine((text) => parseVersion(text) !== null, {
    message: 'expected a version such as "14.6", "10.0.22631.4317" or "22.04"',
  });
  /** One minimum, or one per supported release line. */
  const minimums = z.union([version, z.array(version).min(1)]);
  return z.strictObject({
    win32: minimums.optional(),
    darwin: minimums.optional(),
    /** By os-release ID; "rolling" accepts a rolling release (Arch, Tumbleweed) as current. */
    linux: z.record(z.string().regex(/^[a-z0-9._-]+$/, 'expected an os-release ID such as ubuntu'), z.union([z.literal(ROLLING), minimums])).optional(),
  });
}

type Minimums = string | string[];

function list(spec: Minimums): string[] {
  return typeof spec === 'string' ? [spec] : spec;
}

/** The version to compare: Windows build with UBR, macOS with its Rapid Security Response. */
/** The version a policy compares: Windows with its update revision, macOS with a Rapid Security Response. */
export function comparableVersion(os: OsInfo): string | null {
  if (os.platform === 'win32') return os.build ?? os.version;
  if (os.platform === 'darwin' && os.version && os.displayVersion) return `${os.version} ${os.displayVersion}`;
  return os.version;
}

/** `Ubuntu 24.04.3`, for reasons. */
export function osLabel(os: OsInfo): string {
  const name = os.name ?? PLATFORM_NAMES[os.platform];
  const shown = comparableVersion(os);
  return shown ? `${name} ${shown}` : name;
}

function judge(os: OsInfo, spec: Minimums): CheckOutcome {
  const shown = comparableVersion(os);
  const device = shown ? parseVersion(shown) : null;
  if (!device) return { status: 'unknown', reason: `Could not read a comparable version for ${osLabel(os)}.` };
  const required = list(spec).map((text) => parseVersion(text)).filter((v): v is ParsedVersion => v !== null);
  if (meetsMinimum(device, required)) return { status: 'pass', reason: `${osLabel(os)} meets the minimum (${list(spec).join(' or ')}).` };
  return { status: 'fail', reason: `${osLabel(os)} is older than the minimum required (${list(spec).join(' or ')}).` };
}

export const osMinimumVersion = defineCheck({
  type: 'os.minimumVersion',
  title: 'The operating system is a supported version with current patches',
  signal: 'os',
  params,
  evaluate(report, minimumsByPlatform) {
    const { os } = report;
    if (os.platform === 'linux') {
      if (!os.id) return unknownOutcome(report, 'os', 'which Linux distribution this is');
      const spec = minimumsByPlatform.linux?.[os.id];
      if (spec === undefined) return { status: 'fail', reason: `${osLabel(os)} is not a distribution this policy approves.` };
      if (spec === ROLLING) return { status: 'pass', reason: `${osLabel(os)} is a rolling release, which this policy accepts.` };
      if (comparableVersion(os) === null) return unknownOutcome(report, 'os', `the version of ${osLabel(os)}`);
      return judge(os, spec);
    }
    const spec = minimumsByPlatform[os.platform];
    if (spec === undefined) return { status: 'fail', reason: `${PLATFORM_NAMES[os.platform]} is not a platform this policy approves.` };
    if (comparableVersion(os) === null) return unknownOutcome(report, 'os', 'the operating system version');
    return judge(os, spec);
  },
  remediation: {
    win32: 'Install the latest updates: Settings > Windows Update > Check for updates, then restart.',
    darwin: 'Install the latest macOS update: System Settings > General > Software Update, then restart.',
    linux: 'Install the latest updates (for example "sudo apt update && sudo apt full-upgrade"), or upgrade to a supported release, then restart.',
  },
});
