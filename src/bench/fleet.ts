/**
 * `npm run bench -- fleet --devices N --interval 300`: N simulated agents (their own keys, real
 * Evidence, each on its own jittered schedule, some drifting in and out of compliance) against a
 * policy service, with a gateway's forward-auth load and an administrator paging the device list
 * beside them. It reports the sustained appraisal rate beside the fleet's target (N / interval),
 * check-in latency, errors by code, storage growth, the service's CPU and memory, and the authz and
 * listing p99 while all this runs. Without --url it starts the service itself (pinned to core 0;
 * the simulator and the load generator on core 1).
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { canPinToCore, startNodeScript } from '../exec/node-scripts.js';
import { AgentError, isAgentError } from '../shared/errors.js';
import { FleetSimulator, RATE_WINDOW_SECONDS, type EnrolmentOutcome, type RunOutcome } from './fleet-agents.js';
import { Fleet } from './fleet-devices.js';
import { runGatewaySegment, SEGMENT_SECONDS, type GatewaySegment, type GatewaySpec } from './fleet-gateway.js';
import { FleetHttp } from './fleet-http.js';
import { DeviceLister, type ListingOutcome } from './fleet-listing.js';
import { parseFleetOptions, type FleetOptions } from './fleet-options.js';
import { processCpuWaitSeconds, processTreeCpuSeconds, processUse } from './fleet-proc.js';
import { LISTING_GOAL_MS, renderFleetReport, SIMULATOR_LIMIT_SHARE, type AuthzFigures, type FleetReport, type StorageFigures } from './fleet-report.js';
import { startOwnService, type OwnService } from './fleet-service.js';
import { storageProbe, type StorageSnapshot } from './fleet-storage.js';
import { median } from './measure.js';

const BENCH_INDEX = join(import.meta.dirname, 'index.js');
const SIMULATOR_CORE = 1;
/** A gateway segment shorter than this is not worth starting autocannon for. */
const MIN_SEGMENT_SECONDS = 3;
/** The first gateway segment, not counted: the service's authz path and autocannon warm up. */
const WARM_UP_SECONDS = 2;
/** Challenges and replay-protection entries expire within minutes: by then their tables stop growing. */
const STEADY_STATE_SECONDS = 600;
/** The service waiting this share of the run for a CPU means other work on the machine skewed the figures. */
const BUSY_MACHINE_WAIT_SHARE = 0.1;
/** Check-ins starting later than this behind schedule mean the simulator fell behind. */
const LAG_LIMIT_MS = 1000;

interface Target {
  url: string;
  token: string | null;
  adminKey: string | null;
  gatewayKey: string | null;
  servicePid: number | null;
  database: string | null;
  own: OwnService | null;
}

const benchStarted = performance.now();

function progress(line: string): void {
  process.stderr.write(`[${Math.round((performance.now() - benchStarted) / 1000)} s] ${line}\n`);
}

/** This bench again, pinned to the simulator's core; its output is passed on. */
async function rerunPinned(print: (line: string) => void, argv: readonly string[]): Promise<void> {
  const child = startNodeScript([BENCH_INDEX, 'fleet', ...argv, '--on-core', String(SIMULATOR_CORE)], { core: SIMULATOR_CORE });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', print);
  // 'close': the process has exited and its output has been read to the end.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  process.exitCode = code ?? 1;
}

async function targetFor(options: FleetOptions, workDir: string): Promise<Target> {
  if (options.url !== null) {
    return { url: options.url, token: options.token, adminKey: options.adminKey, gatewayKey: options.gatewayKey, servicePid: options.servicePid, database: options.database, own: null };
  }
  const dataDir = options.keep ?? join(workDir, 'service');
  await mkdir(dataDir, { recursive: true });
  const database = options.database ?? `sqlite:${join(dataDir, 'posture.db')}`;
  const own = await startOwnService(dataDir, database);
  try {
    const token = await own.cli('token', 'create', '--uses', String(options.devices), '--note', 'fleet simulator');
    const adminKey = await own.cli('apikey', 'create', '--role', 'admin', '--name', 'fleet-simulator');
    const gatewayKey = await own.cli('apikey', 'create', '--role', 'gateway', '--name', 'fleet-simulator');
    return { url: own.url, token, adminKey, gatewayKey, servicePid: own.pid, database, own };
  } catch (error) {
    await own.stop();
    throw error;
  }
}

/** Whether the service may know the fleet already: a kept data directory, a database from before, a running service. */
async function mayKnowFleet(options: FleetOptions): Promise<boolean> {
  if (options.url !== null || options.database !== null) return true;
  if (options.keep === null) return false;
  return (await readdir(options.keep)).length > 0;
}

async function gatewayLoad(spec: GatewaySpec, simulator: FleetSimulator, end: number): Promise<GatewaySegment[]> {
  const segments: GatewaySegment[] = [];
  for (;;) {
    const remaining = Math.floor((end - performance.now()) / 1000);
    const results = simulator.recentResults();
    if (remaining < MIN_SEGMENT_SECONDS || results.length === 0) return segments;
    segments.push(await runGatewaySegment(spec, results, Math.min(SEGMENT_SECONDS, remaining)));
  }
}

function storageFigures(before: StorageSnapshot, after: StorageSnapshot, options: FleetOptions, run: RunOutcome): StorageFigures {
  const growth = after.usedBytes - before.usedBytes;
  const perHour = (growth / run.seconds) * 3600;
  const tables: Record<string, { before: number; after: number }> = {};
  for (const name of new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])) {
    tables[name] = { before: before.tables[name] ?? 0, after: after.tables[name] ?? 0 };
  }
  return {
    kind: after.kind,
    usedBytesBefore: before.usedBytes,
    usedBytesAfter: after.usedBytes,
    onDiskBytesBefore: before.onDiskBytes,
    onDiskBytesAfter: after.onDiskBytes,
    bytesPerDeviceEnrolled: before.usedBytes / options.devices,
    growthBytesPerHour: perHour,
    bytesPerDevicePerDay: (perHour * 24) / options.devices,
    bytesPerAppraisal: run.appraised > 0 ? growth / run.appraised : null,
    tables,
  };
}

function sum(segments: readonly GatewaySegment[], pick: (segment: GatewaySegment) => number): number {
  return segments.reduce((total, segment) => total + pick(segment), 0);
}

function authzFigures(options: FleetOptions, idle: readonly GatewaySegment[], segments: readonly GatewaySegment[]): AuthzFigures | null {
  if (options.authzRate === 0) return null;
  const total = sum(segments, (segment) => segment.total);
  return {
    tier: options.tier,
    ratePerSecond: options.authzRate,
    idle: idle.length === 0 ? null : {
      p99Ms: median(idle.map((segment) => segment.p99)),
      segmentP99Ms: idle.map((segment) => segment.p99),
      perSecond: sum(idle, (segment) => segment.total) / sum(idle, (segment) => segment.seconds),
      non2xx: sum(idle, (segment) => segment.non2xx),
      errors: sum(idle, (segment) => segment.errors),
    },
    underLoad: segments.length === 0 ? null : {
      p99Ms: median(segments.map((segment) => segment.p99)),
      worstP99Ms: Math.max(...segments.map((segment) => segment.p99)),
      segments: segments.length,
      total,
      perSecond: total / sum(segments, (segment) => segment.seconds),
      non2xx: sum(segments, (segment) => segment.non2xx),
      errors: sum(segments, (segment) => segment.errors),
    },
  };
}

function listingFigures(listing: ListingOutcome): FleetReport['listing'] {
  const { latencies } = listing;
  return {
    available: listing.available,
    note: listing.note,
    pages: listing.pages,
    p50Ms: latencies.percentile(0.5),
    p99Ms: latencies.percentile(0.99),
    maxMs: latencies.max(),
    goalMs: LISTING_GOAL_MS,
    errors: listing.errors.counts(),
  };
}

interface Measured {
  options: FleetOptions;
  target: Target;
  fleet: Fleet;
  enrolment: EnrolmentOutcome;
  run: RunOutcome;
  wallSeconds: number;
  storage: StorageFigures | null;
  idle: GatewaySegment[];
  /** The service's CPU during the idle segments (null when its pid is unknown). */
  idleServiceCpuSeconds: number | null;
  segments: GatewaySegment[];
  listing: ListingOutcome;
  serviceCpuSeconds: number | null;
  serviceCpuWaitSeconds: number | null;
  postgresCpuSeconds: number | null;
  service: { rssMb: number; peakRssMb: number } | null;
  simulatorCpuSeconds: number;
  loadGeneratorCpuSeconds: number;
}

function buildReport(measured: Measured): FleetReport {
  const { options, target, fleet, enrolment, run, wallSeconds } = measured;
  const notes: string[] = [];
  const targetRate = options.devices / options.intervalSeconds;
  const authz = authzFigures(options, measured.idle, measured.segments);
  // The gateway load's share of the service's CPU, at what a request cost with the fleet idle.
  const idleRequests = sum(measured.idle, (segment) => segment.total);
  const authzCpu = idleRequests > 0 && measured.idleServiceCpuSeconds !== null && authz?.underLoad
    ? (measured.idleServiceCpuSeconds / idleRequests) * authz.underLoad.total
    : 0;
  const appraisalCpuMs = measured.serviceCpuSeconds !== null && run.appraised > 0 ? ((measured.serviceCpuSeconds - authzCpu) * 1000) / run.appraised : null;
  // Below zero when the gateway load's estimated share exceeds what the service used: noise, no figure.
  const cpuMsPerAppraisal = appraisalCpuMs !== null && appraisalCpuMs > 0 ? appraisalCpuMs : null;
  const simulatorShare = measured.simulatorCpuSeconds / wallSeconds;
  const loadShare = measured.loadGeneratorCpuSeconds / wallSeconds;
  const limited = canPinToCore && (simulatorShare >= SIMULATOR_LIMIT_SHARE || simulatorShare + loadShare >= SIMULATOR_LIMIT_SHARE);
  const checkIns = run.appraised + run.errors.total;
  const simulatorCpuMsPerCheckIn = checkIns > 0 ? (measured.simulatorCpuSeconds * 1000) / checkIns : null;
  const lagP99 = run.lag.percentile(0.99);
  const errors = run.errors.counts();
  const selfUse = processUse(process.pid)!;

  if (!canPinToCore) notes.push('taskset is missing: nothing was pinned to a core, so the service and the simulator shared the CPU as the OS chose');
  if (limited) notes.push(`the simulator's core was busy ${Math.round((simulatorShare + loadShare) * 100)}% (simulator ${Math.round(simulatorShare * 100)}%, load generator ${Math.round(loadShare * 100)}%): the figures may understate the service`);
  if (lagP99 !== null && lagP99 > LAG_LIMIT_MS) {
    const why = limited ? 'the simulator could not keep the schedule' : `the service did not answer fast enough for the schedule (check-in p50 ${Math.round(run.latencies.percentile(0.5) ?? 0)} ms; the simulator's core was ${Math.round((simulatorShare + loadShare) * 100)}% busy)`;
    notes.push(`check-ins started up to ${Math.round(lagP99)} ms late (p99): ${why}`);
  }
  if (errors.ERR_RATE_LIMITED) notes.push('ERR_RATE_LIMITED: every simulated device comes from one address; start the service with --challenge-rate-limit 0 (or high enough) for this bench');
  if (options.durationSeconds < options.intervalSeconds) notes.push(`the run (${options.durationSeconds} s) is shorter than the interval (${options.intervalSeconds} s): most devices checked in once at most, and growth per day is extrapolated from ${run.appraised} appraisals`);
  if (measured.storage !== null && options.durationSeconds < STEADY_STATE_SECONDS) notes.push(`storage growth over ${options.durationSeconds} s includes short-lived entries (challenges, replay protection) filling up to the level they then keep: runs of ${STEADY_STATE_SECONDS / 60} minutes or more overstate growth less (see the tables that grew)`);
  if (target.servicePid === null) notes.push('the service\'s CPU and memory were not measured (give --service-pid for a service you run yourself)');
  if (measured.storage === null) notes.push('storage was not measured (give --database with the service\'s database)');
  if (target.database?.startsWith('postgres') && options.postgresPid === null) notes.push('PostgreSQL\'s own CPU was not measured (give --postgres-pid with the postmaster\'s pid)');
  if (authzCpu > 0) {
    const rough = measured.serviceCpuSeconds !== null && authzCpu > measured.serviceCpuSeconds / 2 ? ': the gateway load used most of the service\'s CPU, so this figure is rough; run with a higher appraisal rate (shorter --interval) or --authz-rate 0 for sizing' : '';
    notes.push(`service CPU per appraisal: the gateway load's share (its CPU per decision with the fleet idle) is taken out, the listing's is not${rough}`);
  }

  const waitShare = measured.serviceCpuWaitSeconds === null ? null : measured.serviceCpuWaitSeconds / wallSeconds;
  if (waitShare !== null && waitShare >= BUSY_MACHINE_WAIT_SHARE) notes.push(`the service waited for a CPU ${Math.round(waitShare * 100)}% of the run: other work on this machine held it back, so its figures understate what it can do`);
  const postgresShare = measured.postgresCpuSeconds === null ? null : measured.postgresCpuSeconds / wallSeconds;
  return {
    fleet: { devices: options.devices, intervalSeconds: options.intervalSeconds, durationSeconds: options.durationSeconds, driftingDevices: fleet.driftingCount, seed: options.seed },
    service: {
      url: target.url,
      startedByBench: target.own !== null,
      database: target.database === null ? null : target.database.startsWith('sqlite:') ? 'sqlite' : 'postgres',
      pid: target.servicePid,
      cpuShare: measured.serviceCpuSeconds === null ? null : measured.serviceCpuSeconds / wallSeconds,
      cpuWaitShare: waitShare,
      rssMb: measured.service?.rssMb ?? null,
      peakRssMb: measured.service?.peakRssMb ?? null,
      cpuMsPerAppraisal,
      devicesPerCore: cpuMsPerAppraisal === null ? null : (options.intervalSeconds * 1000) / cpuMsPerAppraisal,
      postgresCpuShare: postgresShare,
      postgresCpuMsPerAppraisal: measured.postgresCpuSeconds === null || run.appraised === 0 ? null : (measured.postgresCpuSeconds * 1000) / run.appraised,
    },
    enrolment: {
      enrolled: enrolment.enrolled,
      alreadyEnrolled: enrolment.alreadyEnrolled,
      seconds: enrolment.seconds,
      perSecond: (enrolment.enrolled + enrolment.alreadyEnrolled) / enrolment.seconds,
      errors: enrolment.errors.counts(),
    },
    appraisals: {
      count: run.appraisals,
      perSecond: run.appraisals / run.seconds,
      targetPerSecond: targetRate,
      due: run.due,
      appraised: run.appraised,
      keptUp: run.appraised >= run.due && run.errors.total === 0 && (lagP99 ?? 0) <= LAG_LIMIT_MS,
      windowSeconds: RATE_WINDOW_SECONDS,
      windowMinPerSecond: run.windowRates.length === 0 ? null : Math.min(...run.windowRates),
      windowMedianPerSecond: run.windowRates.length === 0 ? null : median(run.windowRates),
      statuses: run.statuses,
      statusChanges: run.statusChanges,
    },
    checkIn: { p50Ms: run.latencies.percentile(0.5), p99Ms: run.latencies.percentile(0.99), maxMs: run.latencies.max(), scheduleLagP99Ms: lagP99 },
    errors,
    errorExamples: run.errors.examples(),
    storage: measured.storage,
    simulator: {
      cpuShare: simulatorShare,
      loadGeneratorCpuShare: loadShare,
      cpuMsPerCheckIn: simulatorCpuMsPerCheckIn,
      rssMb: selfUse.rssMb,
      peakRssMb: selfUse.peakRssMb,
      limited,
    },
    authz,
    listing: listingFigures(measured.listing),
    notes,
  };
}

function cpuSecondsOfThisProcess(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** CPU seconds of the children this process has waited for: the load generator's segments. */
function waitedChildrenCpuSeconds(): number {
  const withChildren = processUse(process.pid, true);
  const own = processUse(process.pid);
  return withChildren && own ? withChildren.cpuSeconds - own.cpuSeconds : 0;
}

async function simulate(options: FleetOptions, workDir: string): Promise<FleetReport> {
  const target = await targetFor(options, workDir);
  const http = new FleetHttp(target.url, options.connections);
  try {
    const fleet = new Fleet(options.devices, options.seed, options.driftShare);
    const simulator = new FleetSimulator({ fleet, http, audience: target.url, token: target.token, progress });
    const enrolment = await simulator.prepare(await mayKnowFleet(options), options.enrollConcurrency);
    const storage = target.database === null ? null : storageProbe(target.database);
    const storageBefore = await storage?.measure();

    const lister = new DeviceLister(http, target.adminKey, options.listRate);
    const listingAvailable = options.listRate > 0 && (await lister.probe());
    const gateway: GatewaySpec = { url: target.url, tier: options.tier, rate: options.authzRate, gatewayKey: target.gatewayKey, workDir };
    const withGateway = options.authzRate > 0 && simulator.recentResults().length > 0;
    if (options.authzRate > 0 && !withGateway) progress('no Results of compliant devices to send a gateway: no gateway load');
    // The idle segments: half before the fleet starts (after a short warm-up), half after it stopped.
    const idle: GatewaySegment[] = [];
    let idleServiceCpuSeconds: number | null = target.servicePid === null ? null : 0;
    const idleSegments = async (seconds: number) => {
      for (let left = seconds; left >= 1; left -= SEGMENT_SECONDS) {
        const before = target.servicePid === null ? null : processUse(target.servicePid);
        idle.push(await runGatewaySegment(gateway, simulator.recentResults(), Math.min(SEGMENT_SECONDS, left)));
        const after = target.servicePid === null ? null : processUse(target.servicePid);
        idleServiceCpuSeconds = before && after && idleServiceCpuSeconds !== null ? idleServiceCpuSeconds + after.cpuSeconds - before.cpuSeconds : null;
      }
    };
    const idleBefore = Math.ceil(options.baselineSeconds / 2);
    if (withGateway && idleBefore > 0) {
      progress(`gateway load with the fleet idle: ${idleBefore} s (after a ${WARM_UP_SECONDS} s warm-up)`);
      await runGatewaySegment(gateway, simulator.recentResults(), WARM_UP_SECONDS);
      await idleSegments(idleBefore);
    }

    progress(`fleet: ${options.devices} devices, every ${options.intervalSeconds} s, for ${options.durationSeconds} s`);
    const serviceBefore = target.servicePid === null ? null : processUse(target.servicePid);
    const serviceWaitBefore = target.servicePid === null ? null : processCpuWaitSeconds(target.servicePid);
    const postgresBefore = options.postgresPid === null ? null : processTreeCpuSeconds(options.postgresPid);
    const simulatorBefore = cpuSecondsOfThisProcess();
    const childrenBefore = waitedChildrenCpuSeconds();
    const started = performance.now();
    const end = started + options.durationSeconds * 1000;
    const [run, segments] = await Promise.all([
      simulator.run(options.durationSeconds, options.intervalSeconds, options.devices / options.intervalSeconds),
      withGateway ? gatewayLoad(gateway, simulator, end) : Promise.resolve([]),
      listingAvailable ? lister.run(end) : Promise.resolve(),
    ]);
    const wallSeconds = (performance.now() - started) / 1000;
    const serviceAfter = target.servicePid === null ? null : processUse(target.servicePid);
    const serviceWaitAfter = target.servicePid === null ? null : processCpuWaitSeconds(target.servicePid);
    const postgresAfter = options.postgresPid === null ? null : processTreeCpuSeconds(options.postgresPid);
    const storageAfter = await storage?.measure();
    const idleAfter = options.baselineSeconds - idleBefore;
    if (withGateway && idleAfter > 0) {
      progress(`gateway load with the fleet idle again: ${idleAfter} s`);
      await idleSegments(idleAfter);
    }

    return buildReport({
      options, target, fleet, enrolment, run, wallSeconds,
      storage: storageBefore && storageAfter ? storageFigures(storageBefore, storageAfter, options, run) : null,
      idle, idleServiceCpuSeconds, segments,
      listing: lister.outcome(listingAvailable),
      serviceCpuSeconds: serviceBefore && serviceAfter ? serviceAfter.cpuSeconds - serviceBefore.cpuSeconds : null,
      serviceCpuWaitSeconds: serviceWaitBefore !== null && serviceWaitAfter !== null ? serviceWaitAfter - serviceWaitBefore : null,
      postgresCpuSeconds: postgresBefore !== null && postgresAfter !== null ? postgresAfter - postgresBefore : null,
      service: serviceAfter && { rssMb: serviceAfter.rssMb, peakRssMb: serviceAfter.peakRssMb },
      simulatorCpuSeconds: cpuSecondsOfThisProcess() - simulatorBefore,
      loadGeneratorCpuSeconds: Math.max(0, waitedChildrenCpuSeconds() - childrenBefore),
    });
  } finally {
    await http.close();
    await target.own?.stop();
  }
}

export async function benchFleet(print: (line: string) => void, argv: readonly string[] = process.argv.slice(3)): Promise<void> {
  let options: FleetOptions;
  try {
    options = parseFleetOptions(argv);
  } catch (error) {
    if (!isAgentError(error)) throw error;
    process.stderr.write(`bench fleet: ${error.message} [${error.code}]\n`);
    process.exitCode = 2;
    return;
  }
  if (canPinToCore && options.onCore === null) {
    await rerunPinned(print, argv);
    return;
  }
  const workDir = await mkdtemp(join(tmpdir(), 'posture-fleet-'));
  try {
    const report = await simulate(options, workDir);
    if (options.json) print(JSON.stringify(report, null, 2));
    else for (const line of renderFleetReport(report)) print(line);
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
    process.stderr.write(`bench fleet: ${error.message} [${error.code}]\n`);
    process.exitCode = 2;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
