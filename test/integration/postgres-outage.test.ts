// The real service (dist/, a child process) on the real PostgreSQL while 20 agents appraise at once
// and PostgreSQL is stopped under them (fast, then immediate shutdown) and started again. The
// service must answer 503 ERR_DATABASE_UNAVAILABLE meanwhile, keep answering forward-auth from
// Results it issued, and appraise again once the database is back, without being restarted.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollDevice } from '../../src/agent/check-in.js';
import { ServiceClient } from '../../src/agent/service-client.js';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import type { Es256Key } from '../../src/attest/es256-key.js';
import { createEvidence } from '../../src/attest/evidence.js';
import { MemoryKeyStore } from '../../src/attest/key-store.js';
import type { PostureReport } from '../../src/collectors/report.js';
import { healthyLinux } from '../fixtures/linux/healthy-linux.js';
import { createFakeHost } from '../support/fake-host.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startServiceProcess, tempDir, type ServiceProcess } from '../support/service-process.js';
import { until } from '../support/until.js';

const POLICY = `
id: outage-policy
version: 1
rules:
  - { id: disk, check: diskEncryption.system, severity: block }
tiers:
  basic: [disk]
`;

const AGENTS = 20;
/** Bounds on the load, whatever happens: rounds per agent and wall time per test. */
const MAX_ROUNDS_PER_AGENT = 2_000;
const LOAD_DEADLINE_MS = 90_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** An agent that was refused waits this long before its next round, as the real agent backs off. */
const PAUSE_AFTER_REFUSAL_MS = 50;
/** How long the database stays down while the agents keep trying. */
const OUTAGE_MS = 2_000;

interface Agent {
  deviceId: string;
  key: Es256Key;
  posture: PostureReport;
  /** The last Result this agent was issued. */
  result: string;
}

interface Answer {
  route: '/v1/challenge' | '/v1/attest';
  /** 0: no HTTP answer at all (connection refused or reset: the service is gone). */
  status: number;
  code: string | null;
  message: string | null;
  at: number;
  agent: number;
}

async function post(url: string, body: string, contentType: string): Promise<{ status: number; body: unknown }> {
  try {
    const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  } catch {
    return { status: 0, body: null };
  }
}

function errorOf(body: unknown): { code: string | null; message: string | null } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return { code: typeof error?.code === 'string' ? error.code : null, message: typeof error?.message === 'string' ? error.message : null };
}

/** 20 agents looping challenge -> Evidence -> attest until stopped or out of rounds or time. */
class Load {
  readonly answers: Answer[] = [];
  readonly #address: string;
  readonly #agents: Agent[];
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(address: string, agents: Agent[]) {
    this.#address = address;
    this.#agents = agents;
    const deadline = Date.now() + LOAD_DEADLINE_MS;
    this.#done = Promise.all(agents.map(async (agent, index) => {
      for (let round = 0; round < MAX_ROUNDS_PER_AGENT && !this.#stopped && Date.now() < deadline; round += 1) {
        const answer = await this.#round(agent, index);
        this.answers.push(answer);
        if (answer.status !== 200) await new Promise((resolve) => setTimeout(resolve, PAUSE_AFTER_REFUSAL_MS));
      }
    })).then(() => undefined);
  }

  async #round(agent: Agent, index: number): Promise<Answer> {
    const challenge = await post(`${this.#address}/v1/challenge`, JSON.stringify({ deviceId: agent.deviceId }), 'application/json');
    if (challenge.status !== 200) return { route: '/v1/challenge', status: challenge.status, ...errorOf(challenge.body), at: Date.now(), agent: index };
    const { nonce } = challenge.body as { nonce: string };
    const evidence = await createEvidence({ key: agent.key, deviceId: agent.deviceId, audience: this.#address, nonce, posture: agent.posture });
    const attest = await post(`${this.#address}/v1/attest`, evidence, 'application/eat+jwt');
    if (attest.status === 200) agent.result = (attest.body as { result: string }).result;
    return { route: '/v1/attest', status: attest.status, ...errorOf(attest.body), at: Date.now(), agent: index };
  }

  successesSince(at: number): Answer[] {
    return this.answers.filter((answer) => answer.status === 200 && answer.at >= at);
  }

  /** Agents (by index) that have had an appraisal since `at`. */
  agentsAppraisedSince(at: number): Set<number> {
    return new Set(this.successesSince(at).filter((answer) => answer.route === '/v1/attest').map((answer) => answer.agent));
  }

  stop(): Promise<void> {
    this.#stopped = true;
    return this.#done;
  }

  get agentCount(): number {
    return this.#agents.length;
  }
}

describe('the service on PostgreSQL when the database goes away under 20 concurrent agents', () => {
  let postgres: TestPostgres;
  let svc: ServiceProcess;
  let work: Awaited<ReturnType<typeof tempDir>>;
  const stderr: string[] = [];
  const agents: Agent[] = [];

  const alive = () => svc.child.exitCode === null && svc.child.signalCode === null;
  const howItEnded = () => `exit code ${svc.child.exitCode}, signal ${svc.child.signalCode}; stderr: ${stderr.join('').slice(-2_000)}`;

  beforeAll(async () => {
    postgres = await startPostgres();
    work = await tempDir('posture-outage-');
    const policyFile = join(work.path, 'policy.yaml');
    await writeFile(policyFile, POLICY);
    svc = await startServiceProcess({
      dataDir: join(work.path, 'service'),
      database: postgres.url,
      extraArgs: ['--policy', policyFile, '--challenge-rate-limit', '0'],
    });
    svc.child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const token = (await svc.cli('token', 'create', '--uses', String(AGENTS))).trim();
    for (let index = 0; index < AGENTS; index += 1) {
      const deviceId = deriveDeviceId((index + 1).toString(16).padStart(32, 'c'), 'linux');
      const keyStore = new MemoryKeyStore();
      const deps = { host: createFakeHost(healthyLinux(new Date())), keyStore, deviceId: () => Promise.resolve(deviceId), client: new ServiceClient({ baseUrl: svc.address }) };
      const { enrolled, posture } = await enrollDevice(deps, token);
      agents.push({ deviceId, key: (await keyStore.load())!.active, posture, result: enrolled.appraisal.result });
    }
  }, 120_000);

  afterAll(async () => {
    if (svc !== undefined && alive()) await svc.stop();
    await postgres?.stop();
    await work?.remove();
  });

  for (const mode of ['fast', 'immediate'] as const) {
    it(`answers 503 during a ${mode} shutdown, keeps forward-auth up, and recovers without a restart`, async () => {
      expect(alive(), howItEnded()).toBe(true);
      const load = new Load(svc.address, agents);
      let outage: { haltedAt: number; restartedAt: number; authz: number[]; health: { status: number; body: unknown } } | undefined;
      try {
        const started = Date.now();
        await until('appraisals under load before the outage', () => load.successesSince(started).length >= 2 * AGENTS, { deadlineMs: 30_000 });

        const haltedAt = Date.now();
        await postgres.halt({ mode });
        const authz: number[] = [];
        const downSince = Date.now();
        while (Date.now() - downSince < OUTAGE_MS && alive()) {
          const response = await fetch(`${svc.address}/v1/authz?tier=basic`, { headers: { 'x-posture-token': agents[0]!.result }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
            .then((answer) => answer.status, () => 0);
          authz.push(response);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const health = await fetch(`${svc.address}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
          .then(async (answer) => ({ status: answer.status, body: await answer.json() }), () => ({ status: 0, body: null }));
        await postgres.restart();
        outage = { haltedAt, restartedAt: Date.now(), authz, health };

        expect(alive(), `the service died during the outage: ${howItEnded()}`).toBe(true);
        // Every agent appraises again, on the same service process.
        await until('every agent appraised after the restart', () => load.agentsAppraisedSince(outage!.restartedAt).size === AGENTS, { deadlineMs: 30_000 });
      } finally {
        await load.stop();
      }

      expect(alive(), `the service died: ${howItEnded()}`).toBe(true);
      const { haltedAt, restartedAt, authz, health } = outage;
      const unanswered = load.answers.filter((answer) => answer.status === 0);
      const refusals = load.answers.filter((answer) => answer.status !== 200);
      const unavailable = refusals.filter((answer) => answer.status === 503 && answer.code === 'ERR_DATABASE_UNAVAILABLE'
        && answer.message === 'The database is unavailable; try again later.');
      expect(unanswered).toEqual([]);
      // Nothing but an appraisal or "the database is unavailable": no 500, no refused Evidence.
      expect(refusals.filter((answer) => !unavailable.includes(answer))).toEqual([]);
      expect(unavailable.filter((answer) => answer.at >= haltedAt && answer.at <= restartedAt).length).toBeGreaterThanOrEqual(AGENTS);
      expect(authz.length).toBeGreaterThan(0);
      expect(authz.every((status) => status === 200)).toBe(true);
      expect(health).toMatchObject({ status: 200, body: { status: 'degraded', database: 'unavailable' } });
      expect(stderr.join('')).not.toMatch(/Unhandled|Uncaught|Error/);

      const firstAfter = Math.min(...load.successesSince(restartedAt).map((answer) => answer.at));
      const allAfter = Math.max(...[...load.agentsAppraisedSince(restartedAt)].map((agent) =>
        Math.min(...load.successesSince(restartedAt).filter((answer) => answer.agent === agent && answer.route === '/v1/attest').map((answer) => answer.at))));
      console.info(`[postgres-outage ${mode}] ${load.agentCount} agents, ${load.answers.length} answers, ${unavailable.length} x 503 ERR_DATABASE_UNAVAILABLE, `
        + `${authz.length} authz answers during the outage (all 200), first appraisal ${firstAfter - restartedAt} ms after restart, `
        + `every agent ${allAfter - restartedAt} ms after restart`);
    }, 150_000);
  }
});
