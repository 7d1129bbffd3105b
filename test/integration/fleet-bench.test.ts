// `npm run bench -- fleet` for a few seconds against the real service it starts (SQLite in a temp
// directory): 50 simulated devices enrol, check in on their schedule with real Evidence, some drift
// out of compliance and back, a gateway load and an administrator's listing run beside them. The
// figures are machine-dependent and never asserted; what is asserted is that it worked and says so.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../../src/bench/fleet-report.js';
import { tempDir } from '../support/service-process.js';

const run = promisify(execFile);
const BENCH = join(import.meta.dirname, '..', '..', 'dist/bench/index.js');
const DEVICES = 50;

async function fleet(keep: string): Promise<FleetReport> {
  const args = [
    'fleet', '--devices', String(DEVICES), '--interval', '2', '--duration', '5', '--drift', '0.2',
    '--authz-rate', '50', '--baseline', '2', '--list-rate', '2', '--keep', keep, '--json',
  ];
  const { stdout } = await run(process.execPath, [BENCH, ...args], { maxBuffer: 10 * 1024 * 1024 });
  return JSON.parse(stdout) as FleetReport;
}

describe('the fleet simulator (npm run bench -- fleet)', () => {
  let dataDir: Awaited<ReturnType<typeof tempDir>>;
  let first: FleetReport;
  let again: FleetReport;

  beforeAll(async () => {
    dataDir = await tempDir('posture-fleet-test-');
    first = await fleet(dataDir.path);
    again = await fleet(dataDir.path);
  }, 240_000);

  afterAll(async () => {
    await dataDir.remove();
  });

  it('enrols every device, then appraises their check-ins with no errors', () => {
    expect(first.enrolment).toMatchObject({ enrolled: DEVICES, alreadyEnrolled: 0, errors: {} });
    expect(first.errors).toEqual({});
    expect(first.appraisals.count).toBeGreaterThan(0);
    expect(first.appraisals.appraised).toBe(first.appraisals.due);
    expect(first.appraisals.perSecond).toBeGreaterThan(0);
    expect(first.appraisals.targetPerSecond).toBe(DEVICES / 2);
    expect(first.checkIn.p99Ms).toBeGreaterThan(0);
    expect(first.checkIn.p50Ms).toBeLessThanOrEqual(first.checkIn.p99Ms!);
  });

  it('has drifting devices fail a check and recover: their status changes', () => {
    expect(first.fleet.driftingDevices).toBe(DEVICES * 0.2);
    expect(first.appraisals.statuses.compliant ?? 0).toBeGreaterThan(0);
    expect(first.appraisals.statuses.warning ?? 0).toBeGreaterThan(0);
    expect(first.appraisals.statusChanges).toBeGreaterThan(0);
  });

  it('measures the service, its SQLite storage and the simulator itself', () => {
    expect(first.service).toMatchObject({ startedByBench: true, database: 'sqlite' });
    expect(first.service.cpuShare).toBeGreaterThan(0);
    expect(first.service.rssMb).toBeGreaterThan(0);
    expect(first.storage).toMatchObject({ kind: 'sqlite' });
    expect(first.storage!.usedBytesBefore).toBeGreaterThan(0);
    expect(first.storage!.onDiskBytesAfter).toBeGreaterThan(0);
    expect(first.storage!.bytesPerDevicePerDay).toBe(first.storage!.growthBytesPerHour * 24 / DEVICES);
    expect(first.simulator.cpuShare).toBeGreaterThan(0);
    expect(first.simulator.rssMb).toBeGreaterThan(0);
  });

  it('sends a gateway load of real Results with the fleet running and idle, all allowed', () => {
    expect(first.authz).not.toBeNull();
    expect(first.authz!.underLoad).toMatchObject({ segments: 1, non2xx: 0, errors: 0 });
    expect(first.authz!.underLoad!.total).toBeGreaterThan(0);
    expect(first.authz!.idle).toMatchObject({ non2xx: 0, errors: 0 });
    expect(first.authz!.idle!.segmentP99Ms).toHaveLength(2);
  });

  it('pages the device list, or says why it could not', () => {
    const { listing } = first;
    if (listing.available) {
      expect(listing.pages).toBeGreaterThan(0);
      expect(listing.errors).toEqual({});
    } else {
      expect(listing.note).toMatch(/GET \/v1\/devices/);
    }
  });

  it('knows the same fleet again on a kept data directory and skips its enrolment', () => {
    expect(again.enrolment).toMatchObject({ enrolled: 0, alreadyEnrolled: DEVICES, errors: {} });
    expect(again.errors).toEqual({});
    expect(again.appraisals.count).toBeGreaterThan(0);
  });
});
