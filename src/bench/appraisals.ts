/**
 * `npm run bench -- appraisals`: Evidence appraisals per second end to end (challenge, Evidence,
 * attest: verify, appraise, store, sign a Result), 32 agents with their own devices in another
 * process on the other core, against the service on SQLite, on PostgreSQL (one instance), and on
 * PostgreSQL with two instances sharing it. Beside each: the service's CPU per appraisal, and the
 * ceiling measured in the same run (raw ES256 verify + sign on one core: the cryptography an
 * appraisal cannot avoid). POSTURE_BENCH_SERVICE=path/to/service.js measures another build (the
 * figure before a change). Figures are printed, never asserted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { canPinToCore, runNodeScript, startNodeScript, type NodeScriptProcess } from '../exec/node-scripts.js';
import { postmasterPid, startPostgresCluster } from '../exec/postgres-cluster.js';
import { fixed } from './measure.js';
import { processTreeCpuSeconds } from './fleet-proc.js';
import { rawSignAndVerifyRate } from './raw-crypto.js';
import { serviceListening } from './service-listening.js';

const SERVICE = process.env['POSTURE_BENCH_SERVICE'] ?? join(import.meta.dirname, '..', 'bin', 'service.js');
const LOAD = join(import.meta.dirname, 'appraisal-load.js');
const AGENTS = 32;
const SECONDS = 8;
const PUBLIC_URL = 'http://posture.bench.invalid';

interface Instance {
  child: NodeScriptProcess;
  address: string;
}

async function startInstance(dataDir: string, database: string, core: number | undefined, env: string[]): Promise<Instance> {
  const args = [SERVICE, 'serve', '--port', '0', '--data-dir', dataDir, '--database', database, '--url', PUBLIC_URL, '--challenge-rate-limit', '0', '--log-level', 'info', ...env];
  const child = startNodeScript(args, core === undefined ? {} : { core });
  const { address } = await serviceListening(child);
  return { child, address };
}

async function stop(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  await exited;
}

interface LoadFigures {
  total: number;
  perSecond: number;
  errors: number;
  p50: number;
  p99: number;
}

interface Scenario {
  name: string;
  load: LoadFigures;
  /** Service CPU seconds (all instances) per appraisal, and the database server's when it has one. */
  serviceCpuMs: number;
  databaseCpuMs: number | null;
}

async function scenario(name: string, instances: Instance[], token: string, databasePid: number | null, loadCore: number | undefined): Promise<Scenario> {
  const pids = instances.map((instance) => instance.child.pid!);
  const before = pids.map((pid) => processTreeCpuSeconds(pid) ?? 0);
  const databaseBefore = databasePid === null ? null : processTreeCpuSeconds(databasePid);
  const spec = { bases: instances.map((instance) => instance.address), audience: PUBLIC_URL, token, agents: AGENTS, seconds: SECONDS };
  const load = JSON.parse(await runNodeScript([LOAD, JSON.stringify(spec)], loadCore === undefined ? {} : { core: loadCore })) as LoadFigures;
  const used = pids.reduce((sum, pid, index) => sum + ((processTreeCpuSeconds(pid) ?? 0) - before[index]!), 0);
  const databaseAfter = databasePid === null ? null : processTreeCpuSeconds(databasePid);
  const perAppraisal = (seconds: number) => (load.total > 0 ? (seconds * 1000) / load.total : 0);
  // Enrolment is included in the CPU figures: 32 of thousands of appraisals.
  return {
    name, load, serviceCpuMs: perAppraisal(used),
    databaseCpuMs: databaseBefore === null || databaseAfter === null ? null : perAppraisal(databaseAfter - databaseBefore),
  };
}

async function token(dataDir: string, database: string, env: string[]): Promise<string> {
  return (await runNodeScript([SERVICE, 'token', 'create', '--uses', '1000', '--data-dir', dataDir, '--database', database, ...env])).trim();
}

function describe(result: Scenario, ceiling: number): string {
  const database = result.databaseCpuMs === null ? '' : `, PostgreSQL ${fixed(result.databaseCpuMs, 2)} ms`;
  return `  ${result.name}: ${fixed(result.load.perSecond, 0)} appraisals/s = ${fixed(result.load.perSecond / ceiling, 2)}x the crypto ceiling; ` +
    `p50 ${fixed(result.load.p50, 1)} ms, p99 ${fixed(result.load.p99, 1)} ms, errors ${result.load.errors}; CPU per appraisal: service ${fixed(result.serviceCpuMs, 2)} ms${database}`;
}

export async function benchAppraisals(print: (line: string) => void): Promise<void> {
  const ceiling = rawSignAndVerifyRate();
  const results: Scenario[] = [];
  const work = await mkdtemp(join(tmpdir(), 'posture-bench-appraisals-'));
  try {
    const sqliteDir = join(work, 'sqlite');
    const sqlite = `sqlite:${join(sqliteDir, 'posture.db')}`;
    const one = await startInstance(sqliteDir, sqlite, 0, []);
    try {
      results.push(await scenario(`SQLite, one instance (core 0), ${AGENTS} agents (core 1)`, [one], await token(sqliteDir, sqlite, []), null, 1));
    } finally {
      await stop(one);
    }

    const cluster = await startPostgresCluster({ durable: true });
    try {
      // Both instances get the same key-encryption key, from the environment they inherit.
      process.env['POSTURE_SERVICE_KEY_ENCRYPTION_KEY'] = randomBytes(32).toString('base64');
      const kek: string[] = [];
      const postgresPid = await postmasterPid(cluster);
      const first = await startInstance(join(work, 'pg-1'), cluster.url, 0, kek);
      try {
        const enrolment = await token(join(work, 'pg-1'), cluster.url, kek);
        results.push(await scenario(`PostgreSQL (durable), one instance (core 0), ${AGENTS} agents (core 1)`, [first], enrolment, postgresPid, 1));
        const second = await startInstance(join(work, 'pg-2'), cluster.url, undefined, kek);
        try {
          results.push(await scenario(`PostgreSQL (durable), two instances, ${AGENTS} agents, nothing pinned`, [first, second], enrolment, postgresPid, undefined));
        } finally {
          await stop(second);
        }
      } finally {
        await stop(first);
      }
    } finally {
      await cluster.stop();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  print(`appraisal benchmark (one run; ${canPinToCore ? 'pinned with taskset where said' : 'not pinned: taskset is missing'}; service ${SERVICE})`);
  print(`  ceiling: raw node:crypto ES256 sign + verify on one core  ${fixed(ceiling, 0)} /s (an appraisal verifies the Evidence and signs a Result)`);
  for (const result of results) print(describe(result, ceiling));
  const goal = (index: number, target: number) => {
    const result = results[index];
    return result === undefined ? 'not measured' : `${result.load.perSecond >= target ? 'met' : 'NOT met'} (${fixed(result.load.perSecond, 0)} /s)`;
  };
  print(`  goals: SQLite >= 2,000 appraisals/s -> ${goal(0, 2000)}; PostgreSQL one instance >= 1,000 -> ${goal(1, 1000)}; two instances: ${results[2] && results[1] ? `${fixed(results[2].load.perSecond / results[1].load.perSecond, 2)}x one instance on this ${availableParallelism()}-core machine` : 'not measured'}`);
}
