// Storage stays bounded: identical appraisals replace the device's latest row instead of adding
// rows (the database's bytes stop growing), and history older than the retention is pruned.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryPruner } from '../../src/server/history-pruner.js';
import { openStore } from '../../src/server/store/open-store.js';
import type { NewAppraisal, Store } from '../../src/server/store/store.js';
import type { ComplianceStatus, Verdict } from '../../src/policy/types.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { makeReport } from '../support/report.js';

const DAY_MS = 86_400_000;
const START = new Date('2026-09-01T00:00:00.000Z');
const DEVICES = 20;

function verdicts(status: ComplianceStatus): Verdict[] {
  const failing = status !== 'compliant';
  return [{
    id: 'disk-encryption', check: 'diskEncryption.system', status: failing ? 'fail' : 'pass', severity: 'block', reason: failing ? 'not encrypted' : 'encrypted',
    remediation: failing ? 'Turn on LUKS.' : null, failingSince: failing ? START.toISOString() : null, graceDeadline: null, blocking: failing,
  }];
}

function appraisal(deviceId: string, createdAt: Date, status: ComplianceStatus = 'compliant'): NewAppraisal {
  return {
    deviceId, evidenceJti: randomUUID(), policyId: 'corp', policyVersion: 1, status, earStatus: status === 'compliant' ? 'affirming' : 'contraindicated',
    tiers: status === 'compliant' ? ['basic'] : [], verdicts: verdicts(status),
    posture: makeReport({ device: { id: deviceId, hostname: `host-${deviceId.slice(0, 4)}`, serial: null }, os: { platform: 'linux', build: null } }),
    resultJti: randomUUID(), resultExpiresAt: new Date(createdAt.getTime() + 600_000), createdAt,
  };
}

/** Every device checks in `rounds` times, 5 minutes apart, with the same outcome. */
async function checkIns(store: Store, ids: readonly string[], from: Date, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    const at = new Date(from.getTime() + round * 300_000);
    for (const id of ids) await store.saveAppraisal(appraisal(id, at), {});
  }
}

interface StorageProbe {
  store: Store;
  /** Bytes the database takes after the housekeeping the engine does by itself (checkpoint, vacuum). */
  bytes(): Promise<number>;
  close(): Promise<void>;
}

function boundedStorage(name: string, open: () => Promise<StorageProbe>): void {
  describe(`bounded storage on ${name}`, () => {
    let probe: StorageProbe;
    const ids = Array.from({ length: DEVICES }, () => randomUUID());

    beforeAll(async () => {
      probe = await open();
      await probe.store.migrate();
      for (const id of ids) await probe.store.insertDevice({ id, kid: `kid-${id}`, jwk: { kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43) }, enrolledAt: START, hostname: null, platform: null });
    }, 60_000);
    afterAll(async () => {
      await probe?.close();
    });

    it('identical appraisals do not grow the database: after 200 check-ins per device it takes the bytes it took after 40', async () => {
      // Check-ins in ten stretches of 20, with the engine's housekeeping (checkpoint, autovacuum) between them.
      const sizes: number[] = [];
      for (let stretch = 0; stretch < 10; stretch += 1) {
        await checkIns(probe.store, ids, new Date(START.getTime() + DAY_MS + stretch * 20 * 300_000), 20);
        sizes.push(await probe.bytes());
      }
      expect(sizes.at(-1)).toBeLessThanOrEqual(sizes[1]! * 1.1);
      for (const id of ids.slice(0, 3)) {
        expect(await probe.store.listAppraisals(id, 1000)).toHaveLength(1);
        expect((await probe.store.latestAppraisal(id))?.createdAt).toEqual(new Date(START.getTime() + DAY_MS + 199 * 300_000));
        expect(await probe.store.getDevice(id)).toMatchObject({ lastSeenAt: new Date(START.getTime() + DAY_MS + 199 * 300_000) });
      }
    });

    it('keeps every change, and prunes changes older than the retention in batches, never the latest', async () => {
      const [flapping] = ids;
      for (let day = 0; day < 120; day += 1) {
        await probe.store.saveAppraisal(appraisal(flapping!, new Date(START.getTime() + (day + 2) * DAY_MS), day % 2 === 0 ? 'noncompliant' : 'compliant'), {});
      }
      expect(await probe.store.listAppraisals(flapping!, 1000)).toHaveLength(121);
      const now = new Date(START.getTime() + 122 * DAY_MS);
      const pruner = new HistoryPruner(probe.store, { retentionMs: 90 * DAY_MS, clock: () => now });
      const removed = await pruner.run();
      const kept = await probe.store.listAppraisals(flapping!, 1000);
      expect(kept.every((row) => row.createdAt.getTime() >= now.getTime() - 90 * DAY_MS)).toBe(true);
      expect(kept).toHaveLength(90);
      expect(removed).toBeGreaterThanOrEqual(31 + DEVICES - 1);
      for (const id of ids) expect(await probe.store.latestAppraisal(id)).not.toBeNull();
      expect(await pruner.run()).toBe(0);
    });
  });
}

boundedStorage('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'posture-bounds-'));
  const file = join(dir, 'posture.db');
  const store = await openStore(`sqlite:${file}`);
  return {
    store,
    bytes: async () => {
      const db = new Database(file);
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
      const sizes = await Promise.all([file, `${file}-wal`].map((path) => stat(path).then((info) => info.size, () => 0)));
      return sizes.reduce((sum, size) => sum + size, 0);
    },
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

let postgres: TestPostgres | undefined;
boundedStorage('PostgreSQL', async () => {
  postgres = await startPostgres();
  const store = await openStore(postgres.url);
  const tables = ['latest_appraisals', 'appraisals', 'devices', 'failing_since'];
  return {
    store,
    bytes: async () => {
      const client = new pg.Client({ connectionString: postgres!.url });
      await client.connect();
      try {
        // What autovacuum does in the background, done now so the figure does not depend on its timing.
        await client.query(`VACUUM ${tables.join(', ')}`);
        const result = await client.query<{ bytes: string }>(`SELECT sum(pg_total_relation_size(name::regclass))::text AS bytes FROM unnest($1::text[]) AS name`, [tables]);
        return Number(result.rows[0]!.bytes);
      } finally {
        await client.end();
      }
    },
    close: async () => {
      await store.close();
      await postgres?.stop();
    },
  };
});
