// One Store contract, run against a real SQLite file and a real (throwaway) PostgreSQL cluster.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComplianceStatus, Verdict } from '../../src/policy/types.js';
import { POSTGRES_MIGRATIONS } from '../../src/server/store/migrations/postgres.js';
import { SQLITE_MIGRATIONS } from '../../src/server/store/migrations/sqlite.js';
import { openStore, type OpenStoreOptions } from '../../src/server/store/open-store.js';
import type { ApiKeyRecord, DeviceCertificateRecord, DeviceListQuery, EnrollmentTokenRecord, NewAppraisal, NewDevice, Store } from '../../src/server/store/store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { makeReport } from '../support/report.js';

const NOW = new Date('2026-11-22T10:00:00.123Z');
const RACES = 25;
const OPTIONS: OpenStoreOptions = { connectionTimeoutMillis: 2_000 };

function at(offsetMs: number): Date {
  return new Date(NOW.getTime() + offsetMs);
}

function unique(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

function newDevice(overrides: Partial<NewDevice> = {}): NewDevice {
  const kid = unique('kid');
  return {
    id: unique('device'),
    kid,
    jwk: { kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43), kid, alg: 'ES256', use: 'sig' },
    enrolledAt: NOW,
    hostname: 'laptop-1',
    platform: 'linux',
    ...overrides,
  };
}

function verdict(id: string, failingSince: string | null): Verdict {
  return {
    id, check: 'diskEncryption.system', status: failingSince === null ? 'pass' : 'fail', severity: 'block',
    reason: failingSince === null ? 'encrypted' : 'not encrypted', remediation: failingSince === null ? null : 'Turn on LUKS.',
    failingSince, graceDeadline: null, blocking: failingSince !== null,
  };
}

function newAppraisal(deviceId: string, createdAt: Date, overrides: Partial<NewAppraisal> = {}): NewAppraisal {
  return {
    deviceId,
    evidenceJti: unique('evidence'),
    policyId: 'corp-baseline',
    policyVersion: 3,
    status: 'noncompliant',
    earStatus: 'contraindicated',
    tiers: ['basic'],
    verdicts: [verdict('disk-encryption', '2026-11-20T08:00:00.000Z'), verdict('firewall', null)],
    posture: makeReport({ device: { id: deviceId, hostname: 'laptop-2', serial: null }, os: { platform: 'linux', build: null } }),
    resultJti: unique('result'),
    resultExpiresAt: at(600_000),
    createdAt,
    ...overrides,
  };
}

function newToken(overrides: Partial<EnrollmentTokenRecord> = {}): EnrollmentTokenRecord {
  return { id: unique('token'), tokenHash: unique('hash'), usesLeft: 1, expiresAt: at(3_600_000), createdAt: NOW, note: null, ...overrides };
}

/** How many of `attempts` succeeded. */
async function winners(attempts: Promise<boolean>[]): Promise<number> {
  return (await Promise.all(attempts)).filter(Boolean).length;
}

async function expectUnavailable(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'AgentError', code: 'ERR_DATABASE_UNAVAILABLE' });
}

/** Where one run of the contract keeps its data. */
interface ContractDatabase {
  /** The run's database (empty: the contract migrates it). */
  url: string;
  /** Another new, empty database. */
  newDatabaseUrl(): Promise<string>;
  /** The versions recorded in a database's schema_migrations, read without the Store. */
  appliedMigrations(url: string): Promise<number[]>;
}

function storeContract(name: string, database: () => Promise<ContractDatabase>): void {
  describe(`Store contract: ${name}`, () => {
    let db: ContractDatabase;
    let store: Store;
    let latestVersion: number;
    const opened: Store[] = [];

    const allVersions = () => Array.from({ length: latestVersion }, (_, index) => index + 1);

    /** Another Store on the same database: for the database, another process. */
    async function open(url = db.url): Promise<Store> {
      const another = await openStore(url, OPTIONS);
      opened.push(another);
      return another;
    }

    beforeAll(async () => {
      db = await database();
      store = await open();
      await store.migrate();
      latestVersion = (store.dialect === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS).length;
    });
    afterAll(async () => {
      await Promise.all(opened.map((each) => each.close()));
    });

    describe('migrations and lifecycle', () => {
      it('migrate() a second time is a no-op that reports the same version', async () => {
        expect(await store.migrate()).toBe(latestVersion);
        expect(await store.migrate()).toBe(latestVersion);
        expect(await db.appliedMigrations(db.url)).toEqual(allVersions());
      });

      it('applies each migration once when several processes migrate a fresh database at the same time', async () => {
        for (let round = 0; round < 3; round += 1) {
          const url = await db.newDatabaseUrl();
          const racers = await Promise.all([open(url), open(url), open(url)]);
          expect(await Promise.all(racers.map((racer) => racer.migrate()))).toEqual([latestVersion, latestVersion, latestVersion]);
          expect(await db.appliedMigrations(url)).toEqual(allVersions());
          await racers[0].createNonce('n', 'd', at(1000));
          expect(await racers[1].consumeNonce('n', 'd', NOW)).toBe(true);
        }
      });

      it('answers ping() and closes twice without complaint', async () => {
        const another = await open();
        await expect(another.ping()).resolves.toBeUndefined();
        await another.close();
        await another.close();
      });

      it('says which dialect it is', () => {
        expect(store.dialect).toBe(name === 'SQLite' ? 'sqlite' : 'postgres');
      });
    });

    describe('enrolment tokens', () => {
      it('round-trips tokens exactly', async () => {
        const plain = newToken();
        const noted = newToken({ usesLeft: 5, note: 'laptops batch 7', expiresAt: at(86_400_000), createdAt: at(1) });
        await store.createEnrollmentToken(plain);
        await store.createEnrollmentToken(noted);
        const listed = (await store.listEnrollmentTokens()).filter((token) => [plain.id, noted.id].includes(token.id));
        expect(listed).toEqual([plain, noted]);
        expect(listed[1]!.expiresAt).toBeInstanceOf(Date);
      });

      it('spends exactly the uses a token has, then refuses it', async () => {
        const token = newToken({ usesLeft: 2 });
        await store.createEnrollmentToken(token);
        expect(await store.consumeEnrollmentToken(token.tokenHash, NOW)).toBe(true);
        expect(await store.consumeEnrollmentToken(token.tokenHash, NOW)).toBe(true);
        expect(await store.consumeEnrollmentToken(token.tokenHash, NOW)).toBe(false);
        const listed = (await store.listEnrollmentTokens()).find((each) => each.id === token.id);
        expect(listed?.usesLeft).toBe(0);
      });

      it('refuses an expired or unknown token without spending it', async () => {
        const token = newToken({ usesLeft: 1, expiresAt: at(1000) });
        await store.createEnrollmentToken(token);
        expect(await store.consumeEnrollmentToken(token.tokenHash, at(1000))).toBe(false);
        expect(await store.consumeEnrollmentToken(unique('hash'), NOW)).toBe(false);
        expect(await store.consumeEnrollmentToken(token.tokenHash, at(999))).toBe(true);
      });

      it('gives each use to exactly one of two processes racing for it', async () => {
        const other = await open();
        for (let round = 0; round < RACES; round += 1) {
          const token = newToken({ usesLeft: 2 });
          await store.createEnrollmentToken(token);
          const attempts = [store, other, store, other, store, other].map((each) => each.consumeEnrollmentToken(token.tokenHash, NOW));
          expect(await winners(attempts)).toBe(2);
        }
      });
    });

    describe('nonces', () => {
      it('spends a nonce once, only for its device, only before it expires', async () => {
        const deviceId = unique('device');
        await store.createNonce('nonce-a', deviceId, at(60_000));
        await store.createNonce('nonce-b', deviceId, at(60_000));
        expect(await store.consumeNonce('nonce-a', unique('other-device'), NOW)).toBe(false);
        expect(await store.consumeNonce('nonce-a', deviceId, NOW)).toBe(true);
        expect(await store.consumeNonce('nonce-a', deviceId, NOW)).toBe(false);
        expect(await store.consumeNonce('nonce-b', deviceId, at(60_000))).toBe(false);
        expect(await store.consumeNonce('nonce-b', deviceId, at(59_999))).toBe(true);
        expect(await store.consumeNonce('never-issued', deviceId, NOW)).toBe(false);
      });

      it('keeps those rules when the store is closed and reopened between issuing and spending', async () => {
        const deviceId = unique('device');
        const issuer = await open();
        const token = newToken({ usesLeft: 1 });
        await issuer.createNonce('restart-nonce', deviceId, at(60_000));
        await issuer.createNonce('restart-short', deviceId, at(1000));
        await issuer.createEnrollmentToken(token);
        await issuer.recordJti(deviceId, 'restart-jti', at(60_000));
        await issuer.close();

        const reopened = await open();
        expect(await reopened.consumeNonce('restart-nonce', unique('other-device'), NOW)).toBe(false);
        expect(await reopened.consumeNonce('restart-short', deviceId, at(1000))).toBe(false);
        expect(await reopened.consumeNonce('restart-nonce', deviceId, NOW)).toBe(true);
        expect(await reopened.consumeEnrollmentToken(token.tokenHash, NOW)).toBe(true);
        expect(await reopened.recordJti(deviceId, 'restart-jti', at(60_000))).toBe(false);
        await reopened.close();

        const again = await open();
        expect(await again.consumeNonce('restart-nonce', deviceId, NOW)).toBe(false);
        expect(await again.consumeEnrollmentToken(token.tokenHash, NOW)).toBe(false);
      });

      it('gives a nonce to exactly one of two processes racing for it', async () => {
        const other = await open();
        const deviceId = unique('device');
        for (let round = 0; round < RACES; round += 1) {
          const nonce = unique('race');
          await store.createNonce(nonce, deviceId, at(60_000));
          const attempts = [store, other, store, other].map((each) => each.consumeNonce(nonce, deviceId, NOW));
          expect(await winners(attempts)).toBe(1);
        }
      });
    });

    describe('jtis and expiry', () => {
      it('remembers a jti per device and refuses its replay', async () => {
        const deviceId = unique('device');
        expect(await store.recordJti(deviceId, 'jti-1', at(60_000))).toBe(true);
        expect(await store.recordJti(deviceId, 'jti-1', at(60_000))).toBe(false);
        expect(await store.recordJti(unique('other-device'), 'jti-1', at(60_000))).toBe(true);
      });

      it('lets exactly one of two processes record the same jti', async () => {
        const other = await open();
        const deviceId = unique('device');
        for (let round = 0; round < RACES; round += 1) {
          const jti = unique('jti');
          const attempts = [store, other, store, other].map((each) => each.recordJti(deviceId, jti, at(60_000)));
          expect(await winners(attempts)).toBe(1);
        }
      });

      it('deleteExpired() forgets expired nonces and jtis and keeps the others', async () => {
        const deviceId = unique('device');
        await store.createNonce('old-nonce', deviceId, at(-1));
        await store.createNonce('live-nonce', deviceId, at(60_000));
        await store.recordJti(deviceId, 'old-jti', at(-1));
        await store.recordJti(deviceId, 'live-jti', at(60_000));
        await expect(store.createNonce('old-nonce', deviceId, at(60_000))).rejects.toThrow();

        await store.deleteExpired(NOW);

        await store.createNonce('old-nonce', deviceId, at(60_000));
        expect(await store.consumeNonce('old-nonce', deviceId, NOW)).toBe(true);
        expect(await store.consumeNonce('live-nonce', deviceId, NOW)).toBe(true);
        expect(await store.recordJti(deviceId, 'old-jti', at(60_000))).toBe(true);
        expect(await store.recordJti(deviceId, 'live-jti', at(60_000))).toBe(false);
      });
    });

    describe('devices', () => {
      it('enrols a device and reads it back exactly', async () => {
        const device = newDevice({ hostname: null, platform: null });
        expect(await store.insertDevice(device)).toBe(true);
        expect(await store.getDevice(device.id)).toEqual({ ...device, lastSeenAt: null, revokedAt: null, revokedReason: null, resetAt: null });
        expect(await store.getDevice(unique('unknown'))).toBeNull();
      });

      it('never replaces a known device\'s key by enrolling it again', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        const intruder = newDevice({ id: device.id });
        expect(await store.insertDevice(intruder)).toBe(false);
        expect(await store.getDevice(device.id)).toMatchObject({ kid: device.kid, jwk: device.jwk });
      });

      it('rotates a key only while the device still has the key the rotation names, keeping revocation, last-seen time and history', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        await store.saveAppraisal(newAppraisal(device.id, at(1000)), {});
        await store.revokeDevice(device.id, at(2000), 'lost laptop');
        const rotated = newDevice({ id: device.id, enrolledAt: at(3000), hostname: null, platform: null });
        expect(await store.replaceDeviceKey(rotated, { currentKid: 'some-other-kid' })).toBe(false);
        expect(await store.replaceDeviceKey(rotated, { afterReset: true })).toBe(false);
        expect(await store.replaceDeviceKey(rotated, { currentKid: device.kid })).toBe(true);

        expect(await store.getDevice(device.id)).toEqual({
          ...rotated, hostname: 'laptop-2', platform: 'linux', lastSeenAt: at(1000), revokedAt: at(2000), revokedReason: 'lost laptop', resetAt: null,
        });
        expect(await store.listAppraisals(device.id, 10)).toHaveLength(1);
        expect(await store.replaceDeviceKey(newDevice({ id: device.id }), { currentKid: device.kid })).toBe(false);
      });

      it('lets one new key in after a reset, once, and clears the reset', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        expect(await store.resetDevice(device.id, at(1000))).toBe(true);
        expect(await store.resetDevice(device.id, at(2000))).toBe(true);
        expect(await store.getDevice(device.id)).toMatchObject({ resetAt: at(1000), kid: device.kid });

        const reinstalled = newDevice({ id: device.id, enrolledAt: at(3000) });
        expect(await store.replaceDeviceKey(reinstalled, { afterReset: true })).toBe(true);
        expect(await store.getDevice(device.id)).toMatchObject({ resetAt: null, kid: reinstalled.kid });
        expect(await store.replaceDeviceKey(newDevice({ id: device.id }), { afterReset: true })).toBe(false);
        expect(await store.resetDevice(unique('unknown'), NOW)).toBe(false);
      });

      it('gives a reset to exactly one of two processes racing to replace the key', async () => {
        const other = await open();
        for (let round = 0; round < RACES; round += 1) {
          const device = newDevice();
          await store.insertDevice(device);
          await store.resetDevice(device.id, NOW);
          const attempts = [store, other, store, other].map((each) => each.replaceDeviceKey(newDevice({ id: device.id }), { afterReset: true }));
          expect(await winners(attempts)).toBe(1);
        }
      });

      it('revokes idempotently, keeping the first time and reason; restores; false for an unknown device', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        expect(await store.revokeDevice(device.id, at(1000), 'stolen')).toBe(true);
        expect(await store.revokeDevice(device.id, at(5000), 'again')).toBe(true);
        expect(await store.getDevice(device.id)).toMatchObject({ revokedAt: at(1000), revokedReason: 'stolen' });
        expect(await store.listRevokedDeviceIds()).toContain(device.id);
        expect(await store.restoreDevice(device.id)).toBe(true);
        expect(await store.getDevice(device.id)).toMatchObject({ revokedAt: null, revokedReason: null });
        expect(await store.listRevokedDeviceIds()).not.toContain(device.id);
        expect(await store.revokeDevice(unique('unknown'), NOW, null)).toBe(false);
        expect(await store.restoreDevice(unique('unknown'))).toBe(false);
      });

      it('reads revoked and kept devices back, and lists the revoked ones', async () => {
        const kept = newDevice();
        const revoked = newDevice();
        await store.insertDevice(kept);
        await store.insertDevice(revoked);
        await store.revokeDevice(revoked.id, NOW, null);

        expect(await store.getDevice(kept.id)).toEqual({ ...kept, lastSeenAt: null, revokedAt: null, revokedReason: null, resetAt: null });
        expect(await store.getDevice(revoked.id)).toEqual({ ...revoked, lastSeenAt: null, revokedAt: NOW, revokedReason: null, resetAt: null });
        const revokedIds = await store.listRevokedDeviceIds();
        expect(revokedIds).toContain(revoked.id);
        expect(revokedIds).not.toContain(kept.id);
      });
    });

    describe('audit log', () => {
      it('keeps entries exactly, newest first, per device or all', async () => {
        const deviceId = unique('device');
        const first = { at: at(1000), actor: 'cli:alice', source: null, action: 'device.revoke' as const, deviceId, detail: { reason: 'stolen' } };
        const second = { at: at(2000), actor: 'apikey:k1', source: '10.0.0.5', action: 'device.restore' as const, deviceId, detail: null };
        const elsewhere = { at: at(3000), actor: 'cli:bob', source: null, action: 'device.reset' as const, deviceId: unique('device'), detail: { kid: 'k' } };
        for (const entry of [first, second, elsewhere]) await store.appendAudit(entry);

        const mine = await store.listAudit({ deviceId, limit: 10 });
        expect(mine.map(({ id: _id, ...entry }) => entry)).toEqual([second, first]);
        expect(mine[0]!.id).toBeGreaterThan(mine[1]!.id);
        expect(await store.listAudit({ deviceId, limit: 1 })).toHaveLength(1);
        const all = await store.listAudit({ limit: 3 });
        expect(all.map((entry) => entry.actor)).toEqual(['cli:bob', 'apikey:k1', 'cli:alice']);
      });
    });

    describe('the fleet list', () => {
      let fleet: Store;
      const staleBefore = at(-3_600_000);
      /** id -> expected state, hostname, platform, failing rules, last contact. */
      const expected = new Map<string, { state: string; hostname: string; platform: string; failing: string[]; seen: Date; serial: string }>();

      beforeAll(async () => {
        fleet = await open(await db.newDatabaseUrl());
        await fleet.migrate();
        const plan: { state: string; platform: string }[] = [];
        for (let index = 0; index < 23; index += 1) {
          plan.push({ state: ['compliant', 'warning', 'noncompliant', 'stale', 'revoked', 'unappraised'][index % 6]!, platform: index % 3 === 0 ? 'darwin' : 'linux' });
        }
        for (const [index, { state, platform }] of plan.entries()) {
          const id = `dev-${String(index).padStart(3, '0')}-${randomUUID().slice(0, 4)}`;
          const hostname = `Host-${String.fromCharCode(97 + ((index * 7) % 23))}`;
          const serial = `SN${1000 + index}`;
          await fleet.insertDevice(newDevice({ id, hostname, platform, enrolledAt: at(-86_400_000 + index) }));
          let seen = at(-86_400_000 + index);
          let failing: string[] = [];
          if (state !== 'unappraised') {
            const createdAt = state === 'stale' ? at(-7_200_000 + index) : at(index * 1000);
            const status: ComplianceStatus = state === 'noncompliant' ? 'noncompliant' : state === 'warning' ? 'warning' : 'compliant';
            failing = status === 'compliant' ? [] : ['disk-encryption', 'firewall'];
            const since = Object.fromEntries(failing.map((rule) => [rule, '2026-11-20T08:00:00.000Z']));
            const posture = makeReport({ device: { id, hostname, serial }, os: { platform: platform as 'linux' | 'darwin', build: null } });
            await fleet.saveAppraisal(newAppraisal(id, createdAt, { status, posture }), since);
            seen = createdAt;
          }
          if (state === 'revoked') await fleet.revokeDevice(id, NOW, 'lost');
          expected.set(id, { state, hostname, platform, failing, seen, serial });
        }
      });

      async function everyPage(query: Omit<DeviceListQuery, 'after'>): Promise<{ ids: string[]; pages: number }> {
        const ids: string[] = [];
        let after: DeviceListQuery['after'];
        let pages = 0;
        do {
          const page = await fleet.listDevicePage({ ...query, ...(after ? { after } : {}) });
          pages += 1;
          ids.push(...page.rows.map((row) => row.id));
          after = page.next ?? undefined;
        } while (after !== undefined && pages < 100);
        return { ids, pages };
      }

      it('pages through every device once, in the order asked for, by id, hostname and last contact', async () => {
        const all = [...expected.keys()];
        const byId = await everyPage({ limit: 5, sort: 'id', staleBefore });
        expect(byId.ids).toEqual([...all].sort());
        expect(byId.pages).toBe(5);
        const byHostname = await everyPage({ limit: 4, sort: 'hostname', staleBefore });
        expect(byHostname.ids).toEqual([...all].sort((a, b) => (expected.get(a)!.hostname < expected.get(b)!.hostname ? -1 : expected.get(a)!.hostname > expected.get(b)!.hostname ? 1 : a < b ? -1 : 1)));
        const bySeen = await everyPage({ limit: 6, sort: 'lastSeen', staleBefore });
        expect(bySeen.ids).toEqual([...all].sort((a, b) => expected.get(b)!.seen.getTime() - expected.get(a)!.seen.getTime()));
      });

      it('says each device\'s state, facts and failing rules, without the posture', async () => {
        const page = await fleet.listDevicePage({ limit: 100, sort: 'id', staleBefore });
        expect(page.next).toBeNull();
        for (const row of page.rows) {
          const want = expected.get(row.id)!;
          expect(row).toMatchObject({ state: want.state, hostname: want.hostname, platform: want.platform });
          expect(row.failing).toEqual(want.state === 'unappraised' ? [] : want.failing);
          if (want.state !== 'unappraised') expect(row).toMatchObject({ serial: want.serial, latest: { policy: 'corp-baseline@3', at: want.seen } });
          else expect(row.latest).toBeNull();
          expect(Object.keys(row)).not.toContain('posture');
        }
      });

      it('filters by state, platform, failing rule, last contact and a search prefix', async () => {
        const ids = (predicate: (want: { state: string; hostname: string; platform: string; failing: string[]; seen: Date; serial: string }) => boolean) =>
          [...expected.entries()].filter(([, want]) => predicate(want)).map(([id]) => id).sort();
        const list = async (query: Partial<DeviceListQuery>) => (await everyPage({ limit: 3, sort: 'id', staleBefore, ...query })).ids;
        expect(await list({ states: ['noncompliant', 'stale'] })).toEqual(ids((want) => ['noncompliant', 'stale'].includes(want.state)));
        expect(await list({ states: ['revoked'] })).toEqual(ids((want) => want.state === 'revoked'));
        expect(await list({ states: ['unappraised'] })).toEqual(ids((want) => want.state === 'unappraised'));
        expect(await list({ platform: 'darwin' })).toEqual(ids((want) => want.platform === 'darwin'));
        expect(await list({ failing: 'firewall' })).toEqual(ids((want) => want.failing.includes('firewall')));
        expect(await list({ failing: 'antivirus' })).toEqual([]);
        expect(await list({ seenBefore: at(-3_600_000) })).toEqual(ids((want) => want.seen < at(-3_600_000)));
        expect(await list({ seenSince: at(0), platform: 'linux' })).toEqual(ids((want) => want.seen >= at(0) && want.platform === 'linux'));
        const someone = [...expected.entries()].find(([, want]) => want.state === 'compliant')!;
        expect(await list({ search: someone[1].serial })).toEqual([someone[0]]);
        expect(await list({ search: someone[1].hostname.toLowerCase() })).toContain(someone[0]);
        expect(await list({ search: someone[0].slice(0, 7) })).toContain(someone[0]);
        expect(await list({ search: '%' })).toEqual([]);
      });
    });

    describe('appraisals and failing-since', () => {
      it('round-trips an appraisal exactly: the last stored is the latest, the history lists changes newest first', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        const first = newAppraisal(device.id, at(1000));
        const third = newAppraisal(device.id, at(3000), { status: 'compliant', earStatus: 'affirming', tiers: ['basic', 'strict'] });
        const second = newAppraisal(device.id, at(2000), { tiers: [], verdicts: [] });
        const seqs = [];
        for (const appraisal of [first, third, second]) seqs.push(await store.saveAppraisal(appraisal, {}));
        expect(seqs[1]).toBeGreaterThan(seqs[0]!);
        expect(seqs[2]).toBeGreaterThan(seqs[1]!);

        const listed = await store.listAppraisals(device.id, 10);
        expect(listed.map(({ id: _id, ...appraisal }) => appraisal)).toEqual([third, second, first]);
        expect(await store.listAppraisals(device.id, 2)).toEqual(listed.slice(0, 2));
        expect(await store.listAppraisals(device.id, 0)).toEqual([]);
        expect(await store.listAppraisals(device.id, -1)).toEqual([]);
        expect(await store.latestAppraisal(device.id)).toEqual({ ...second, id: seqs[2] });
        expect(listed[0]!.posture.device.serial).toBeNull();
        expect(listed[0]!.resultExpiresAt).toBeInstanceOf(Date);
      });

      it('keeps an identical appraisal only as the latest: the history grows by changes alone', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        const failing = { 'disk-encryption': '2026-11-20T08:00:00.000Z' };
        const first = await store.commitAppraisal(newAppraisal(device.id, at(1000)), failing);
        expect(first).toMatchObject({ outcome: 'saved', changed: true });
        for (let index = 2; index <= 20; index += 1) {
          expect(await store.commitAppraisal(newAppraisal(device.id, at(index * 1000)), failing)).toMatchObject({ outcome: 'saved', changed: false });
        }
        expect(await store.listAppraisals(device.id, 100)).toHaveLength(1);
        expect(await store.latestAppraisal(device.id)).toMatchObject({ createdAt: at(20_000) });
        expect(await store.getDevice(device.id)).toMatchObject({ lastSeenAt: at(20_000) });

        const recovered = newAppraisal(device.id, at(21_000), { status: 'compliant', earStatus: 'affirming', verdicts: [verdict('disk-encryption', null)] });
        expect(await store.commitAppraisal(recovered, {})).toMatchObject({ outcome: 'saved', changed: true });
        expect((await store.listAppraisals(device.id, 100)).map((appraisal) => appraisal.status)).toEqual(['compliant', 'noncompliant']);
        expect(await store.getFailingSince(device.id, 'corp-baseline')).toEqual({});
      });

      it('spends the nonce and jti with the appraisal, only for the device\'s current key, and stores nothing otherwise', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        const spend = (nonce: string, jti = unique('jti'), kid = device.kid) => ({ kid, nonce, now: NOW, jti, jtiExpiresAt: at(300_000) });
        const nonce = unique('nonce');
        await store.createNonce(nonce, device.id, at(60_000));
        const jti = unique('jti');
        expect(await store.commitAppraisal(newAppraisal(device.id, at(1)), {}, spend(nonce, jti, 'another-kid'))).toEqual({ outcome: 'key-replaced' });
        expect(await store.commitAppraisal(newAppraisal(unique('device'), at(1)), {}, spend(nonce, jti))).toEqual({ outcome: 'unknown-device' });
        expect(await store.latestAppraisal(device.id)).toBeNull();

        expect(await store.commitAppraisal(newAppraisal(device.id, at(1)), {}, spend(nonce, jti))).toMatchObject({ outcome: 'saved' });
        expect(await store.commitAppraisal(newAppraisal(device.id, at(2)), {}, spend(nonce))).toEqual({ outcome: 'nonce' });
        const another = unique('nonce');
        await store.createNonce(another, device.id, at(60_000));
        expect(await store.commitAppraisal(newAppraisal(device.id, at(3)), {}, spend(another, jti))).toEqual({ outcome: 'replay' });
        expect(await store.latestAppraisal(device.id)).toMatchObject({ createdAt: at(1) });

        const third = unique('nonce');
        await store.createNonce(third, device.id, at(60_000));
        await store.revokeDevice(device.id, NOW, 'lost');
        expect(await store.commitAppraisal(newAppraisal(device.id, at(4)), {}, spend(third))).toEqual({ outcome: 'revoked' });
        expect(await store.consumeNonce(third, device.id, NOW)).toBe(true);
        expect(await store.latestAppraisal(device.id)).toMatchObject({ createdAt: at(1) });
      });

      it('lets exactly one of two processes spend a nonce with its appraisal', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        const other = await open();
        let saved = 0;
        for (let race = 0; race < RACES; race += 1) {
          const nonce = unique('nonce');
          await store.createNonce(nonce, device.id, at(60_000));
          const outcomes = await Promise.all([store, other].map((each) =>
            each.commitAppraisal(newAppraisal(device.id, at(race)), {}, { kid: device.kid, nonce, now: NOW, jti: unique('jti'), jtiExpiresAt: at(300_000) })));
          expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['nonce', 'saved']);
          saved += 1;
        }
        expect(saved).toBe(RACES);
      });

      it('prunes history older than a date in batches, never the latest appraisal', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        const statuses: ComplianceStatus[] = ['compliant', 'noncompliant'];
        for (let index = 0; index < 7; index += 1) {
          await store.saveAppraisal(newAppraisal(device.id, at(index * 1000), { status: statuses[index % 2]! }), {});
        }
        expect(await store.listAppraisals(device.id, 100)).toHaveLength(7);
        expect(await store.pruneHistory(at(4500), 3)).toBeGreaterThanOrEqual(3);
        expect(await store.pruneHistory(at(4500), 3)).toBeGreaterThanOrEqual(2);
        while ((await store.pruneHistory(at(4500), 3)) > 0) { /* drain other devices' old rows */ }
        expect((await store.listAppraisals(device.id, 100)).map((appraisal) => appraisal.createdAt)).toEqual([at(6000), at(5000)]);
        expect(await store.pruneHistory(at(100_000_000), 1000)).toBeGreaterThanOrEqual(2);
        expect(await store.listAppraisals(device.id, 100)).toEqual([]);
        expect(await store.latestAppraisal(device.id)).toMatchObject({ createdAt: at(6000) });
      });

      it('has no appraisals for a device that has none', async () => {
        expect(await store.latestAppraisal(unique('device'))).toBeNull();
        expect(await store.listAppraisals(unique('device'), 5)).toEqual([]);
      });

      it('sets the device\'s last-seen time, hostname and platform from the posture', async () => {
        const device = newDevice({ hostname: 'old-name', platform: null });
        await store.insertDevice(device);
        await store.saveAppraisal(newAppraisal(device.id, at(7000)), {});
        expect(await store.getDevice(device.id)).toMatchObject({ lastSeenAt: at(7000), hostname: 'laptop-2', platform: 'linux' });
      });

      it('replaces the failing-since memory per policy id', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        const baseline = (createdAt: Date) => newAppraisal(device.id, createdAt, { policyId: 'baseline' });
        expect(await store.getFailingSince(device.id, 'baseline')).toEqual({});

        await store.saveAppraisal(baseline(at(1)), { 'disk-encryption': '2026-11-20T08:00:00.000Z', firewall: '2026-11-21T09:30:00.000Z' });
        await store.saveAppraisal(newAppraisal(device.id, at(2), { policyId: 'strict' }), { antivirus: '2026-11-22T00:00:00.000Z' });
        expect(await store.getFailingSince(device.id, 'baseline')).toEqual({ 'disk-encryption': '2026-11-20T08:00:00.000Z', firewall: '2026-11-21T09:30:00.000Z' });

        await store.saveAppraisal(baseline(at(3)), { firewall: '2026-11-21T09:30:00.000Z' });
        expect(await store.getFailingSince(device.id, 'baseline')).toEqual({ firewall: '2026-11-21T09:30:00.000Z' });
        expect(await store.getFailingSince(device.id, 'strict')).toEqual({ antivirus: '2026-11-22T00:00:00.000Z' });

        await store.saveAppraisal(baseline(at(4)), {});
        expect(await store.getFailingSince(device.id, 'baseline')).toEqual({});
      });

      it('stores nothing when any part of saveAppraisal fails', async () => {
        const device = newDevice();
        await store.insertDevice(device);
        await store.saveAppraisal(newAppraisal(device.id, at(1000)), { firewall: '2026-11-21T09:30:00.000Z' });
        const broken = newAppraisal(device.id, at(2000), { status: 'bogus' as ComplianceStatus });
        await expect(store.saveAppraisal(broken, {})).rejects.toThrow();

        expect(await store.listAppraisals(device.id, 10)).toHaveLength(1);
        expect(await store.getFailingSince(device.id, 'corp-baseline')).toEqual({ firewall: '2026-11-21T09:30:00.000Z' });
        expect(await store.getDevice(device.id)).toMatchObject({ lastSeenAt: at(1000) });
      });

      it('refuses an appraisal for a device that is not enrolled', async () => {
        const deviceId = unique('device');
        await expect(store.saveAppraisal(newAppraisal(deviceId, NOW), {})).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
        expect(await store.listAppraisals(deviceId, 10)).toEqual([]);
      });
    });

    describe('API keys', () => {
      it('finds a key by its hash, and not once it is revoked', async () => {
        const admin: ApiKeyRecord = { id: unique('key'), keyHash: unique('hash'), role: 'admin', name: 'ops laptop', createdAt: NOW, revokedAt: null };
        const retired: ApiKeyRecord = { id: unique('key'), keyHash: unique('hash'), role: 'gateway', name: 'old nginx', createdAt: NOW, revokedAt: at(1000) };
        await store.createApiKey(admin);
        await store.createApiKey(retired);
        expect(await store.findApiKey(admin.keyHash)).toEqual(admin);
        expect(await store.findApiKey(retired.keyHash)).toBeNull();
        expect(await store.findApiKey(unique('hash'))).toBeNull();
      });
    });

    describe('device certificates', () => {
      it('records certificates exactly and lists a device\'s newest first, up to the limit', async () => {
        const device = newDevice();
        const other = newDevice();
        await store.insertDevice(device);
        await store.insertDevice(other);
        const certificate = (deviceId: string, issuedOffsetMs: number): DeviceCertificateRecord => ({
          serial: randomUUID().replaceAll('-', ''),
          deviceId,
          tlsJkt: unique('jkt'),
          notBefore: at(issuedOffsetMs - 300_000),
          notAfter: at(issuedOffsetMs + 7 * 86_400_000),
          issuedAt: at(issuedOffsetMs),
        });
        const older = certificate(device.id, 0);
        const newer = certificate(device.id, 60_000);
        const elsewhere = certificate(other.id, 120_000);
        for (const record of [older, newer, elsewhere]) await store.recordCertificate(record);

        expect(await store.listCertificates(device.id, 10)).toEqual([newer, older]);
        expect(await store.listCertificates(device.id, 1)).toEqual([newer]);
        expect(await store.listCertificates(other.id, 10)).toEqual([elsewhere]);
        expect(await store.listCertificates(unique('device'), 10)).toEqual([]);
      });

      it('refuses a certificate for a device that is not enrolled, and a serial twice', async () => {
        const deviceId = unique('device');
        const record: DeviceCertificateRecord = { serial: randomUUID().replaceAll('-', ''), deviceId, tlsJkt: 'jkt', notBefore: NOW, notAfter: at(3_600_000), issuedAt: NOW };
        await expect(store.recordCertificate(record)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
        expect(await store.listCertificates(deviceId, 10)).toEqual([]);

        const device = newDevice();
        await store.insertDevice(device);
        await store.recordCertificate({ ...record, deviceId: device.id });
        await expect(store.recordCertificate({ ...record, deviceId: device.id, tlsJkt: 'another' })).rejects.toThrow();
        expect(await store.listCertificates(device.id, 10)).toEqual([{ ...record, deviceId: device.id }]);
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------

let sqliteDir: string;
beforeAll(async () => {
  sqliteDir = await mkdtemp(join(tmpdir(), 'posture-store-'));
});
afterAll(async () => {
  await rm(sqliteDir, { recursive: true, force: true });
});

const sqliteUrl = (file: string) => `sqlite:${join(sqliteDir, file)}`;
const sqlitePath = (url: string) => url.slice('sqlite:'.length);

storeContract('SQLite', () => Promise.resolve({
  url: sqliteUrl('contract/store.db'),
  newDatabaseUrl: () => Promise.resolve(sqliteUrl(`fresh-${randomUUID()}.db`)),
  appliedMigrations: (url) => {
    const db = new Database(sqlitePath(url), { readonly: true });
    try {
      return Promise.resolve(db.prepare<[], { version: number }>('SELECT version FROM schema_migrations ORDER BY version').all().map((row) => row.version));
    } finally {
      db.close();
    }
  },
}));

let cluster: TestPostgres | undefined;
async function postgres(): Promise<TestPostgres> {
  cluster ??= await startPostgres();
  return cluster;
}
afterAll(async () => {
  await cluster?.stop();
});

storeContract('PostgreSQL', async () => {
  const server = await postgres();
  return {
    url: server.url,
    newDatabaseUrl: () => server.createDatabase(`fresh_${randomUUID().replaceAll('-', '')}`),
    appliedMigrations: async (url) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((row) => row.version);
      } finally {
        await client.end();
      }
    },
  };
});

describe('PostgreSQL outage', () => {
  it('rejects every call with ERR_DATABASE_UNAVAILABLE while the server is down, and recovers after a restart', async () => {
    const server = await postgres();
    const store = await openStore(await server.createDatabase('outage'), { connectionTimeoutMillis: 1_000 });
    try {
      await store.migrate();
      const device = newDevice();
      await store.insertDevice(device);
      await store.createNonce('before-outage', device.id, at(60_000));

      await server.halt();
      const started = Date.now();
      for (const call of everyCall(store, device)) await expectUnavailable(call());
      expect(Date.now() - started).toBeLessThan(2_000);

      await server.restart();
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.consumeNonce('before-outage', device.id, NOW)).toBe(true);
      expect(await store.consumeNonce('before-outage', device.id, NOW)).toBe(false);
      expect(await store.saveAppraisal(newAppraisal(device.id, NOW), {})).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});

/** One call of every Store method. */
function everyCall(store: Store, device: NewDevice): (() => Promise<unknown>)[] {
  return [
    () => store.ping(),
    () => store.migrate(),
    () => store.createEnrollmentToken(newToken()),
    () => store.consumeEnrollmentToken('hash', NOW),
    () => store.listEnrollmentTokens(),
    () => store.createNonce(unique('nonce'), device.id, at(1000)),
    () => store.consumeNonce('before-outage', device.id, NOW),
    () => store.recordJti(device.id, unique('jti'), at(1000)),
    () => store.deleteExpired(NOW),
    () => store.getDevice(device.id),
    () => store.insertDevice(device),
    () => store.replaceDeviceKey(device, { afterReset: true }),
    () => store.resetDevice(device.id, NOW),
    () => store.restoreDevice(device.id),
    () => store.appendAudit({ at: NOW, actor: 'cli:x', source: null, action: 'device.reset', deviceId: device.id, detail: null }),
    () => store.listAudit({ limit: 5 }),
    () => store.listDevicePage({ limit: 10, sort: 'id', staleBefore: NOW }),
    () => store.revokeDevice(device.id, NOW, null),
    () => store.listRevokedDeviceIds(),
    () => store.getFailingSince(device.id, 'corp-baseline'),
    () => store.saveAppraisal(newAppraisal(device.id, NOW), {}),
    () => store.latestAppraisal(device.id),
    () => store.listAppraisals(device.id, 5),
    () => store.createApiKey({ id: unique('key'), keyHash: unique('hash'), role: 'admin', name: 'x', createdAt: NOW, revokedAt: null }),
    () => store.findApiKey('hash'),
  ];
}

describe('SQLite specifics', () => {
  it('creates a missing parent directory 0700 and uses WAL journal mode', async () => {
    const store = await openStore(sqliteUrl('nested/deeper/store.db'));
    await store.migrate();
    await store.close();
    expect((await stat(join(sqliteDir, 'nested/deeper'))).mode & 0o777).toBe(0o700);
    const db = new Database(join(sqliteDir, 'nested/deeper/store.db'), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('rejects with ERR_DATABASE_UNAVAILABLE when the file cannot be opened', async () => {
    await mkdir(join(sqliteDir, 'a-directory.db'));
    await expectUnavailable(openStore(sqliteUrl('a-directory.db')));
  });

  it('waits for another process\'s write lock, and gives up with ERR_DATABASE_UNAVAILABLE after busy_timeout', async () => {
    const url = sqliteUrl('busy.db');
    const patient = await openStore(url);
    const impatient = await openStore(url, { busyTimeoutMs: 100 });
    try {
      await patient.migrate();
      await patient.createNonce('busy-nonce', 'device', at(60_000));

      const shortLock = await holdWriteLock(sqlitePath(url), 400);
      const started = Date.now();
      expect(await patient.consumeNonce('busy-nonce', 'device', NOW)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      await shortLock.released;

      const longLock = await holdWriteLock(sqlitePath(url), 600);
      await expectUnavailable(impatient.recordJti('device', 'busy-jti', at(60_000)));
      await longLock.released;
      expect(await impatient.recordJti('device', 'busy-jti', at(60_000))).toBe(true);
    } finally {
      await patient.close();
      await impatient.close();
    }
  });
});

describe('openStore', () => {
  it.each(['mysql://root@db/posture', 'posture.db', 'sqlite:', 'http://example.com'])('refuses --database %s', async (url) => {
    const refusal = openStore(url);
    await expect(refusal).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    await expect(refusal).rejects.toThrow(/--database/);
  });

  it('never repeats a password from the URL it refuses', async () => {
    await expect(openStore('mysql://root:hunter2@db/posture')).rejects.not.toThrow(/hunter2/);
  });
});

/** Another process that takes SQLite's write lock (BEGIN IMMEDIATE) and holds it for `ms`. */
async function holdWriteLock(path: string, ms: number): Promise<{ released: Promise<void> }> {
  const script = `
    const Database = require(process.argv[1]);
    const db = new Database(process.argv[2]);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[3]));
    db.exec('COMMIT');
    db.close();`;
  const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
  const child = spawn(process.execPath, ['-e', script, betterSqlite3, path, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const released = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited ${code}`))));
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.on('error', reject);
    released.catch(reject);
  });
  return { released };
}
