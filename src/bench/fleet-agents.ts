/**
 * The simulated agents: enrolment of the whole fleet (concurrently; a device the service already
 * knows is only checked), then check-ins on each device's own jittered schedule, each one what the
 * agent does: POST /v1/challenge, Evidence signed with the device key (the agent's own
 * createEvidence), POST /v1/attest.
 */
import { createEvidence } from '../attest/evidence.js';
import { AgentError } from '../shared/errors.js';
import type { ComplianceStatus } from '../policy/types.js';
import type { AttestResponse } from '../wire/service.js';
import type { Fleet } from './fleet-devices.js';
import { errorCodeOf, FleetHttpError, type FleetHttp } from './fleet-http.js';
import { CheckInSchedule } from './fleet-schedule.js';
import { ErrorTally, Latencies, RateWindows } from './fleet-stats.js';

const PROGRESS_MS = 10_000;
const RECENT_RESULTS = 2000;
/** Check-ins under way at most; beyond it due devices wait, and the schedule lag shows it. */
const MAX_IN_FLIGHT = 4096;
/** How long check-ins still under way at the end may take to finish. */
const DRAIN_MS = 30_000;
export const RATE_WINDOW_SECONDS = 10;

const STATUS_CODES: Readonly<Record<ComplianceStatus, number>> = { compliant: 1, warning: 2, noncompliant: 3 };

export interface EnrolmentOutcome {
  enrolled: number;
  alreadyEnrolled: number;
  seconds: number;
  errors: ErrorTally;
}

export interface RunOutcome {
  seconds: number;
  /** Appraisals that finished within the run. */
  appraisals: number;
  /** Check-ins due during the run, and how many of them were appraised (also after the end). */
  due: number;
  appraised: number;
  /** Appraisals per second in each whole window of RATE_WINDOW_SECONDS. */
  windowRates: number[];
  latencies: Latencies;
  /** How late check-ins started against their schedule: the simulator (or its connection pool) falling behind. */
  lag: Latencies;
  errors: ErrorTally;
  statuses: Record<string, number>;
  /** Appraisals whose status differed from the device's previous one. */
  statusChanges: number;
}

export interface SimulatorDeps {
  fleet: Fleet;
  http: FleetHttp;
  /** The service's URL: the Evidence audience. */
  audience: string;
  /** An enrolment token with enough uses, or null when every device should be enrolled already. */
  token: string | null;
  progress: (line: string) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class FleetSimulator {
  readonly #deps: SimulatorDeps;
  readonly #lastStatus: Uint8Array;
  readonly #recent: string[] = [];
  #recentNext = 0;

  constructor(deps: SimulatorDeps) {
    this.#deps = deps;
    this.#lastStatus = new Uint8Array(deps.fleet.size);
  }

  /** Fresh Results of devices that do not drift (they pass every tier): what a gateway is sent. */
  recentResults(): string[] {
    return [...this.#recent];
  }

  #keep(index: number, answer: AttestResponse): number {
    const code = STATUS_CODES[answer.status];
    const previous = this.#lastStatus[index]!;
    this.#lastStatus[index] = code;
    if (!this.#deps.fleet.isDrifting(index)) {
      this.#recent[this.#recentNext] = answer.result;
      this.#recentNext = (this.#recentNext + 1) % RECENT_RESULTS;
    }
    return previous;
  }

  async #checkIn(index: number): Promise<AttestResponse> {
    const { fleet, http, audience } = this.#deps;
    const deviceId = fleet.id(index);
    const { nonce } = await http.challenge(deviceId);
    const evidence = await createEvidence({ key: fleet.key(index), deviceId, audience, nonce, posture: fleet.nextPosture(index, new Date()) });
    return http.attest(evidence);
  }

  async #enrol(index: number): Promise<AttestResponse> {
    const { fleet, http, audience, token } = this.#deps;
    if (token === null) throw new AgentError('ERR_USAGE', `Device ${fleet.id(index)} is not enrolled and there is no enrolment token: give --token (posture-service token create --uses ${fleet.size}).`);
    const deviceId = fleet.id(index);
    const key = fleet.key(index);
    const { nonce } = await http.challenge(deviceId);
    const evidence = await createEvidence({ key, deviceId, audience, nonce, posture: fleet.enrolmentPosture(index, new Date()) });
    return (await http.enroll({ evidence, jwk: key.publicJwk, token })).appraisal;
  }

  /**
   * Every device enrolled. When the service may know the fleet (`mayKnow`), a few devices spread
   * over the fleet are checked in first; if any is known, every device is checked in before it is
   * enrolled, and enrolled only when the service answers ERR_DEVICE_UNKNOWN. A used-up token or a
   * missing one stops everything.
   */
  async prepare(mayKnow: boolean, concurrency: number): Promise<EnrolmentOutcome> {
    const { fleet, progress } = this.#deps;
    const errors = new ErrorTally();
    const started = performance.now();
    let enrolled = 0;
    let alreadyEnrolled = 0;
    const stopped: { error: Error | null } = { error: null };
    let probe = mayKnow;
    const report = () => {
      const done = enrolled + alreadyEnrolled + errors.total;
      const seconds = (performance.now() - started) / 1000;
      progress(`enrolment: ${done}/${fleet.size} devices (enrolled ${enrolled}, already enrolled ${alreadyEnrolled}, errors ${errors.total}), ${Math.round(done / seconds)}/s`);
    };
    const prepareOne = async (index: number): Promise<void> => {
      try {
        if (probe) {
          try {
            this.#keep(index, await this.#checkIn(index));
            alreadyEnrolled += 1;
            return;
          } catch (error) {
            if (errorCodeOf(error) !== 'ERR_DEVICE_UNKNOWN') throw error;
          }
        }
        try {
          this.#keep(index, await this.#enrol(index));
          enrolled += 1;
        } catch (error) {
          if (errorCodeOf(error) !== 'ERR_DEVICE_ALREADY_ENROLLED') throw error;
          this.#keep(index, await this.#checkIn(index));
          alreadyEnrolled += 1;
        }
      } catch (error) {
        const code = errorCodeOf(error);
        if (code === 'ERR_USAGE' || code === 'ERR_ENROLLMENT_TOKEN') stopped.error = error as Error;
        else errors.add(code, (error as Error).message);
      }
    };
    const samples = mayKnow ? [...new Set([0, Math.floor(fleet.size / 2), fleet.size - 1])] : [];
    const timer = setInterval(report, PROGRESS_MS);
    try {
      for (const index of samples) await prepareOne(index);
      probe = alreadyEnrolled > 0;
      let next = 0;
      const worker = async () => {
        while (stopped.error === null && next < fleet.size) {
          const index = next;
          next += 1;
          if (!samples.includes(index)) await prepareOne(index);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, fleet.size) }, worker));
    } finally {
      clearInterval(timer);
    }
    const fatal = stopped.error;
    if (fatal !== null) {
      if (fatal instanceof FleetHttpError) throw new AgentError('ERR_USAGE', `Enrolment stopped: ${fatal.message}. The token needs a use per device (posture-service token create --uses ${fleet.size}).`);
      throw fatal;
    }
    report();
    return { enrolled, alreadyEnrolled, seconds: (performance.now() - started) / 1000, errors };
  }

  /** Check-ins on schedule for `durationSeconds`; `targetPerSecond` is only for the progress lines. */
  async run(durationSeconds: number, intervalSeconds: number, targetPerSecond: number): Promise<RunOutcome> {
    const { fleet, progress } = this.#deps;
    const start = performance.now();
    const end = start + durationSeconds * 1000;
    const schedule = new CheckInSchedule(fleet.size, intervalSeconds, start);
    const latencies = new Latencies();
    const lag = new Latencies();
    const errors = new ErrorTally();
    const windows = new RateWindows(start, RATE_WINDOW_SECONDS);
    const statuses: Record<string, number> = {};
    let appraisals = 0;
    let appraised = 0;
    let taken = 0;
    let statusChanges = 0;
    let inFlight = 0;
    let lastReport = { at: start, appraisals: 0 };
    const underWay = new Set<Promise<void>>();

    const checkIn = async (index: number) => {
      const began = performance.now();
      try {
        const answer = await this.#checkIn(index);
        const done = performance.now();
        latencies.add(done - began);
        appraised += 1;
        if (done <= end) {
          appraisals += 1;
          windows.add(done);
        }
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        const previous = this.#keep(index, answer);
        if (previous !== 0 && previous !== STATUS_CODES[answer.status]) statusChanges += 1;
      } catch (error) {
        errors.add(errorCodeOf(error), (error as Error).message);
      }
    };

    for (;;) {
      const now = performance.now();
      if (now - lastReport.at >= PROGRESS_MS) {
        const rate = (appraisals - lastReport.appraisals) / ((now - lastReport.at) / 1000);
        progress(`fleet: ${Math.round((now - start) / 1000)} s, ${appraisals} appraisals (${Math.round(rate)}/s, target ${Math.round(targetPerSecond)}/s), check-in p99 ${Math.round(latencies.percentile(0.99) ?? 0)} ms, errors ${errors.total}, in flight ${inFlight}`);
        lastReport = { at: now, appraisals };
      }
      while (inFlight < MAX_IN_FLIGHT) {
        const due = schedule.takeDue(Math.min(now, end));
        if (due === null) break;
        lag.add(now - due.due);
        taken += 1;
        inFlight += 1;
        const running: Promise<void> = checkIn(due.device).finally(() => {
          inFlight -= 1;
          underWay.delete(running);
        });
        underWay.add(running);
      }
      if (now >= end) break;
      await sleep(Math.min(20, Math.max(1, schedule.nextDue() - performance.now())));
    }
    const due = taken + schedule.countDueBefore(end);
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(underWay), new Promise((resolve) => (drainTimer = setTimeout(resolve, DRAIN_MS)))]);
    clearTimeout(drainTimer);
    return {
      seconds: durationSeconds,
      appraisals,
      due,
      appraised,
      windowRates: windows.rates(end),
      latencies,
      lag,
      errors,
      statuses,
      statusChanges,
    };
  }
}
