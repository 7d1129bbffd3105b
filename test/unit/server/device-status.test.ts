// The device-status table on a real SQLite file, with a second connection standing in for another
// service process sharing it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleReport } from '../../../src/bench/sample-report.js';
import type { Verdict } from '../../../src/policy/types.js';
import { DeviceStatusTable } from '../../../src/server/device-status.js';
import { openSqliteStore, type SqliteStore } from '../../../src/server/store/sqlite-store.js';
import type { Store } from '../../../src/server/store/store.js';
import { until } from '../../support/until.js';

let dir: string;
let here: SqliteStore;
let elsewhere: SqliteStore;
let table: DeviceStatusTable;
const now = new Date('2026-11-22T10:00:00Z');

function verdict(id: string, status: Verdict['status'], blocking: boolean): Verdict {
  return { id, check: id, status, severity: 'block', reason: '', remediation: null, failingSince: null, graceDeadline: null, blocking };
}

async function enrol(store: Store, id: string): Promise<void> {
  await store.insertDevice({ id, kid: `kid-${id}`, jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, enrolledAt: now, hostname: null, platform: null });
}

async function appraise(store: Store, id: string, at: Date, firewall: 'pass' | 'fail'): Promise<number> {
  const failing = firewall === 'fail';
  return store.saveAppraisal({
    deviceId: id, evidenceJti: `e-${Math.random()}`, policyId: 'p', policyVersion: 1, status: failing ? 'noncompliant' : 'compliant',
    earStatus: failing ? 'contraindicated' : 'affirming', tiers: failing ? ['basic'] : ['basic', 'strict'],
    verdicts: [verdict('disk', 'pass', false), verdict('fw', firewall, failing)], posture: sampleReport(id, at), resultJti: `r-${at.getTime()}`,
    resultExpiresAt: new Date(at.getTime() + 600_000), createdAt: at,
  }, {});
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-device-status-'));
  here = await openSqliteStore(join(dir, 'posture.db'));
  await here.migrate();
  elsewhere = await openSqliteStore(join(dir, 'posture.db'));
  table = new DeviceStatusTable(here, { pollIntervalMs: 50 });
});

afterEach(async () => {
  await table.stop();
  await here.close();
  await elsewhere.close();
  await rm(dir, { recursive: true, force: true });
});

describe('DeviceStatusTable', () => {
  it('loads every device with its latest appraisal and revocation in one read', async () => {
    await enrol(here, 'a');
    await enrol(here, 'b');
    await enrol(here, 'c');
    await appraise(here, 'a', new Date(now.getTime() - 60_000), 'fail');
    await appraise(here, 'a', now, 'pass');
    await appraise(here, 'b', now, 'fail');
    await here.revokeDevice('b', now, 'stolen');
    await table.load();
    expect(table.get('a')).toMatchObject({ revoked: false, appraisedAt: now.getTime(), earStatus: 'affirming', tiers: ['basic', 'strict'], failing: [], blocking: [] });
    expect(table.get('b')).toMatchObject({ revoked: true, earStatus: 'contraindicated', tiers: ['basic'], failing: [{ id: 'fw', severity: 'block' }], blocking: ['fw'] });
    expect(table.get('c')).toMatchObject({ revoked: false, appraisedAt: null, tiers: [] });
    expect(table.get('nobody')).toBeUndefined();
  });

  it('follows this process\'s appraisals and revocations at once, and another process\'s within a poll', async () => {
    await enrol(here, 'a');
    await appraise(here, 'a', now, 'pass');
    await table.start();
    expect(table.get('a')?.tiers).toEqual(['basic', 'strict']);

    const later = new Date(now.getTime() + 1_000);
    table.appraised('a', { id: 99, createdAt: later, earStatus: 'contraindicated', tiers: ['basic'], verdicts: [verdict('fw', 'fail', true)], resultJti: 'x' });
    expect(table.get('a')).toMatchObject({ appraisedAt: later.getTime(), tiers: ['basic'], blocking: ['fw'] });
    // An older appraisal reported late does not replace a newer one.
    table.appraised('a', { id: 98, createdAt: now, earStatus: 'affirming', tiers: ['basic', 'strict'], verdicts: [], resultJti: 'y' });
    expect(table.get('a')?.tiers).toEqual(['basic']);
    table.revocationChanged('a', true);
    expect(table.get('a')?.revoked).toBe(true);
    table.revocationChanged('a', false);

    await enrol(elsewhere, 'b');
    const at = new Date(now.getTime() + 2_000);
    await appraise(elsewhere, 'b', at, 'fail');
    await until('the change from the other connection', () => table.get('b')?.appraisedAt === at.getTime(), { deadlineMs: 1_000, intervalMs: 10 });
    expect(table.get('b')).toMatchObject({ tiers: ['basic'], blocking: ['fw'] });

    await elsewhere.revokeDevice('b', at, null);
    await until('the change from the other connection', () => table.get('b')?.revoked === true, { deadlineMs: 1_000, intervalMs: 10 });
    await elsewhere.restoreDevice('b');
    await until('the change from the other connection', () => table.get('b')?.revoked === false, { deadlineMs: 1_000, intervalMs: 10 });
    await appraise(elsewhere, 'b', new Date(at.getTime() + 1_000), 'pass');
    await until('the change from the other connection', () => table.get('b')?.tiers.includes('strict') === true, { deadlineMs: 1_000, intervalMs: 10 });
  });

  it('does not let a read that started before this process\'s own change undo it', async () => {
    await enrol(here, 'a');
    await appraise(here, 'a', now, 'pass');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = Object.create(here) as Store;
    slow.listDeviceStatus = async (options) => {
      const records = await here.listDeviceStatus(options);
      await gate;
      return records;
    };
    const racing = new DeviceStatusTable(slow);
    const loading = racing.load();
    await here.revokeDevice('a', now, null);
    racing.revocationChanged('a', true);
    release();
    await loading;
    expect(racing.get('a')?.revoked).toBe(true);
  });

  it('keeps the last known state when the database cannot be read', async () => {
    await enrol(here, 'a');
    await here.revokeDevice('a', now, null);
    await table.load();
    await here.close();
    await expect(table.load()).rejects.toThrow();
    await table.poll();
    expect(table.get('a')?.revoked).toBe(true);
    expect(table.lastError).not.toBeNull();
  });
});
