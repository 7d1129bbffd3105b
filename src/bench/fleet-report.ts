/** The fleet simulator's report: one JSON document (--json), or lines for people, each figure beside its goal. */
import { fixed } from './measure.js';

/** A page of /v1/devices should take at most this long. */
export const LISTING_GOAL_MS = 100;
/** The simulator is the limit when it uses this share of its core or more. */
export const SIMULATOR_LIMIT_SHARE = 0.9;

export interface StorageFigures {
  kind: 'sqlite' | 'postgres';
  /** After enrolment, when the run started, and at its end. */
  usedBytesBefore: number;
  usedBytesAfter: number;
  onDiskBytesBefore: number;
  onDiskBytesAfter: number;
  bytesPerDeviceEnrolled: number;
  growthBytesPerHour: number;
  bytesPerDevicePerDay: number;
  bytesPerAppraisal: number | null;
  /** Per table: bytes when the run started and at its end. */
  tables: Record<string, { before: number; after: number }>;
}

export interface AuthzFigures {
  tier: string;
  ratePerSecond: number;
  /** The same load in segments of the same length with the fleet idle, before and after it ran: the median segment p99. */
  idle: { p99Ms: number; segmentP99Ms: number[]; perSecond: number; non2xx: number; errors: number } | null;
  /** While the fleet ran: the median and the worst segment p99. */
  underLoad: { p99Ms: number; worstP99Ms: number; segments: number; total: number; perSecond: number; non2xx: number; errors: number } | null;
}

export interface FleetReport {
  fleet: { devices: number; intervalSeconds: number; durationSeconds: number; driftingDevices: number; seed: string };
  service: {
    url: string;
    startedByBench: boolean;
    database: 'sqlite' | 'postgres' | null;
    pid: number | null;
    cpuShare: number | null;
    /** Share of the run its threads were ready to run but waited for a CPU: other work on the machine held it back. */
    cpuWaitShare: number | null;
    rssMb: number | null;
    peakRssMb: number | null;
    /** Service CPU per appraisal, the gateway load's share (its CPU per request with the fleet idle) taken out. */
    cpuMsPerAppraisal: number | null;
    /** Devices one core of the service keeps up with at this interval, from cpuMsPerAppraisal. */
    devicesPerCore: number | null;
    /** PostgreSQL's own CPU (postmaster and backends), with --postgres-pid. */
    postgresCpuShare: number | null;
    postgresCpuMsPerAppraisal: number | null;
  };
  enrolment: { enrolled: number; alreadyEnrolled: number; seconds: number; perSecond: number; errors: Record<string, number> };
  appraisals: {
    count: number;
    perSecond: number;
    targetPerSecond: number;
    /** Check-ins due during the run, and how many of them were appraised (some finished after the end). */
    due: number;
    appraised: number;
    keptUp: boolean;
    windowSeconds: number;
    windowMinPerSecond: number | null;
    windowMedianPerSecond: number | null;
    statuses: Record<string, number>;
    statusChanges: number;
  };
  checkIn: { p50Ms: number | null; p99Ms: number | null; maxMs: number | null; scheduleLagP99Ms: number | null };
  errors: Record<string, number>;
  errorExamples: Record<string, string>;
  storage: StorageFigures | null;
  simulator: {
    cpuShare: number;
    loadGeneratorCpuShare: number;
    /** The simulator's CPU per check-in, its fixed costs (timers, listing, progress) included: an upper bound, close at high rates. */
    cpuMsPerCheckIn: number | null;
    rssMb: number;
    peakRssMb: number;
    limited: boolean;
  };
  authz: AuthzFigures | null;
  listing: { available: boolean; note: string | null; pages: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null; goalMs: number; errors: Record<string, number> };
  notes: string[];
}

function bytes(value: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${fixed(scaled, unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function ms(value: number | null): string {
  return value === null ? 'n/a' : `${fixed(value, value < 10 ? 1 : 0)} ms`;
}

function percent(share: number | null): string {
  return share === null ? 'n/a' : `${fixed(share * 100, 0)}%`;
}

function codes(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([code, count]) => `${code} ${count}`).join(', ');
}

export function renderFleetReport(report: FleetReport): string[] {
  const { fleet, service, enrolment, appraisals, checkIn, storage, simulator, authz, listing } = report;
  const lines: string[] = [];
  lines.push(`fleet simulator: ${fleet.devices} devices every ${fleet.intervalSeconds} s (jitter +-10%) for ${fleet.durationSeconds} s, ${fleet.driftingDevices} drifting; service ${service.url} (${service.database ?? 'database unknown'}${service.startedByBench ? ', started by the bench, pinned to core 0' : ''})`);
  lines.push(`  enrolment: ${enrolment.enrolled} enrolled, ${enrolment.alreadyEnrolled} already enrolled, in ${fixed(enrolment.seconds, 1)} s (${fixed(enrolment.perSecond, 0)}/s); errors ${codes(enrolment.errors)}`);
  const window = appraisals.windowMinPerSecond === null ? '' : `; per ${appraisals.windowSeconds} s window min ${fixed(appraisals.windowMinPerSecond, 1)}/s, median ${fixed(appraisals.windowMedianPerSecond ?? 0, 1)}/s`;
  lines.push(`  appraisals: ${appraisals.count} in ${fleet.durationSeconds} s = ${fixed(appraisals.perSecond, 1)}/s   target ${fixed(appraisals.targetPerSecond, 1)}/s (${fleet.devices}/${fleet.intervalSeconds} s) -> ${appraisals.keptUp ? 'kept up' : 'did NOT keep up'} (${appraisals.appraised} of ${appraisals.due} due check-ins appraised${window})`);
  lines.push(`  statuses: ${codes(appraisals.statuses)}; status changes ${appraisals.statusChanges}`);
  lines.push(`  check-in (challenge + sign + attest): p50 ${ms(checkIn.p50Ms)}, p99 ${ms(checkIn.p99Ms)}, max ${ms(checkIn.maxMs)}; schedule lag p99 ${ms(checkIn.scheduleLagP99Ms)}`);
  lines.push(`  errors: ${codes(report.errors)}`);
  for (const [code, example] of Object.entries(report.errorExamples)) lines.push(`    ${code}: ${example}`);
  if (storage) {
    lines.push(`  storage (${storage.kind}): ${bytes(storage.usedBytesBefore)} after enrolment (${bytes(storage.bytesPerDeviceEnrolled)} per device) -> ${bytes(storage.usedBytesAfter)} at the end; on disk ${bytes(storage.onDiskBytesBefore)} -> ${bytes(storage.onDiskBytesAfter)}`);
    const perAppraisal = storage.bytesPerAppraisal === null ? '' : `, ${bytes(storage.bytesPerAppraisal)} per appraisal`;
    lines.push(`  storage growth: ${bytes(storage.growthBytesPerHour)}/hour, ${bytes(storage.bytesPerDevicePerDay)} per device per day${perAppraisal}   goal: bounded (latest state + changes)`);
    const grown = Object.entries(storage.tables).filter(([, size]) => size.after !== size.before);
    if (grown.length > 0) lines.push(`    tables that grew: ${grown.map(([name, size]) => `${name} +${bytes(size.after - size.before)}`).join(', ')}`);
  } else {
    lines.push('  storage: not measured (give --database for a service you run yourself)');
  }
  const perCore = service.devicesPerCore === null ? '' : `; ${fixed(service.cpuMsPerAppraisal ?? 0, 2)} ms CPU per appraisal -> ~${Math.round(service.devicesPerCore)} devices per core at this interval`;
  const waited = service.cpuWaitShare === null ? '' : ` (waited for a CPU ${percent(service.cpuWaitShare)})`;
  lines.push(`  service: CPU ${percent(service.cpuShare)} of a core${waited}, RSS ${service.rssMb === null ? 'n/a' : `${fixed(service.rssMb, 0)} MB (peak ${fixed(service.peakRssMb ?? 0, 0)} MB)`}${perCore}`);
  if (service.postgresCpuShare !== null) lines.push(`  PostgreSQL: CPU ${percent(service.postgresCpuShare)} of a core, ${fixed(service.postgresCpuMsPerAppraisal ?? 0, 2)} ms per appraisal`);
  const capacity = simulator.cpuMsPerCheckIn === null ? '' : `; ${fixed(simulator.cpuMsPerCheckIn, 2)} ms CPU per check-in, fixed costs included`;
  lines.push(`  simulator: CPU ${percent(simulator.cpuShare)} of its core (gateway load generator ${percent(simulator.loadGeneratorCpuShare)})${capacity}, RSS ${fixed(simulator.rssMb, 0)} MB (peak ${fixed(simulator.peakRssMb, 0)} MB)${simulator.limited ? ' -- the simulator was the limit' : ''}`);
  if (authz) {
    const idle = authz.idle ? `${ms(authz.idle.p99Ms)} (segments ${authz.idle.segmentP99Ms.map((p99) => ms(p99)).join(', ')}; non-2xx ${authz.idle.non2xx}, errors ${authz.idle.errors})` : 'not measured';
    if (authz.underLoad) {
      const { underLoad } = authz;
      const ratio = authz.idle && authz.idle.p99Ms > 0 ? ` = ${fixed(underLoad.p99Ms / authz.idle.p99Ms, 2)}x idle` : '';
      lines.push(`  authz p99 under the fleet (tier ${authz.tier}, ${authz.ratePerSecond}/s): ${ms(underLoad.p99Ms)} (median of ${underLoad.segments} segments, worst ${ms(underLoad.worstP99Ms)})${ratio}   goal: unaffected; fleet idle: ${idle}`);
      lines.push(`    ${underLoad.total} requests under the fleet (${fixed(underLoad.perSecond, 0)}/s), non-2xx ${underLoad.non2xx}, errors ${underLoad.errors}`);
    } else {
      lines.push(`  authz p99 with the fleet idle: ${idle}; none under the fleet (the run was shorter than a segment)`);
    }
  } else {
    lines.push('  authz: no gateway load (--authz-rate 0)');
  }
  if (listing.available) {
    lines.push(`  listing GET /v1/devices?limit=100: ${listing.pages} pages, p50 ${ms(listing.p50Ms)}, p99 ${ms(listing.p99Ms)}, max ${ms(listing.maxMs)}   goal: <= ${listing.goalMs} ms -> ${listing.p99Ms !== null && listing.p99Ms <= listing.goalMs ? 'met' : 'NOT met'}; errors ${codes(listing.errors)}`);
  } else {
    lines.push(`  listing: ${listing.note ?? 'not measured'}`);
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return lines;
}
