/**
 * `npm run bench -- gateway`: nginx with `auth_request` to the policy service (the documented
 * configuration, docs/examples/nginx-posture.conf) against the same nginx serving the same small
 * file by itself. nginx (one worker) and the service share core 0, the load generator has core 1;
 * the two take turns in short rounds and the median ratio counts (this machine's CPU is shared).
 * It also counts the TCP connections the service accepted during each round (its
 * posture_http_connections_total) and the sockets left in TIME_WAIT: with upstream keep-alive
 * nginx reuses a few connections for every request.
 * Figures are printed, never asserted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Es256Key } from '../attest/es256-key.js';
import { canPinToCore, runNodeScript } from '../exec/node-scripts.js';
import { startPinnedProgram, type PinnedProgram } from '../exec/pinned-program.js';
import { NGINX_EXAMPLE, nginxFromExample } from './documented-gateways.js';
import { fixed } from './measure.js';
import { accepts, freePort } from '../exec/local-ports.js';
import { cpuSeconds, evidence, post, startService, stop } from './service.js';
import { timeWaitSockets } from './tcp-connections.js';

const DIST = join(import.meta.dirname, '..');
const SERVICE = join(DIST, 'bin/service.js');
const LOAD = join(DIST, 'bench/load-generator.js');
const NGINX = '/usr/sbin/nginx';
const ROUNDS = 5;
const ROUND_SECONDS = 3;
const CONNECTIONS = 32;
const GOAL = 0.5;
const STATIC_BODY = 'ok\n';

interface RoundResult {
  perSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  p99: number;
  /** CPU seconds nginx and the service used during the round. */
  nginxCpu: number;
  serviceCpu: number;
  /** TCP connections the service accepted during the round. */
  opened: number;
  /** Sockets of the service's port in TIME_WAIT after the round; null without /proc/net. */
  timeWait: number | null;
}

/** The documented http block with the bench's paths, a static location, and a file instead of the application. */
function nginxConfig(dir: string, listenPort: number, servicePort: number, gatewayKey: string): string {
  const http = nginxFromExample(readFileSync(NGINX_EXAMPLE, 'utf8'), {
    servicePort, upstreamPort: 9, listenPort, tiers: ['strict'], gatewayKey,
    http: [
      'access_log off;',
      `root ${join(dir, 'www')};`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `${kind}_temp_path ${join(dir, 'tmp', kind)};`),
    ],
    content: 'try_files /ok.txt =404;',
    server: '\n        # The yardstick: the same file, served without asking anyone.\n        location /static/ {\n            try_files /ok.txt =404;\n        }\n',
  });
  return `daemon off;\nmaster_process off;\nworker_processes 1;\npid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')} warn;\n\nevents {\n    worker_connections 4096;\n}\n\n${http}`;
}

async function startNginx(dir: string, listenPort: number, config: string): Promise<PinnedProgram> {
  await mkdir(join(dir, 'www'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await writeFile(join(dir, 'www', 'ok.txt'), STATIC_BODY);
  const file = join(dir, 'nginx.conf');
  await writeFile(file, config);
  const child = startPinnedProgram(NGINX, ['-p', dir, '-c', file, '-e', join(dir, 'error.log')], { core: 0 });
  child.stdout.resume();
  child.stderr.resume();
  const deadline = Date.now() + 10_000;
  while (!(await accepts(listenPort))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start: ${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

/** The service's count of accepted connections, asked on a connection of its own (counted too). */
function acceptedConnections(serviceAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${serviceAddress}/metrics`, { agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const match = /^posture_http_connections_total (\d+)$/m.exec(text);
        if (match) resolve(Number(match[1]));
        else reject(new Error('the service reports no posture_http_connections_total'));
      });
    }).on('error', reject);
  });
}

async function round(url: string, tokensFile: string, nginxPid: number, servicePid: number, serviceAddress: string): Promise<RoundResult> {
  const acceptedBefore = await acceptedConnections(serviceAddress);
  const nginxBefore = cpuSeconds(nginxPid) ?? 0;
  const serviceBefore = cpuSeconds(servicePid) ?? 0;
  const stdout = await runNodeScript([LOAD, JSON.stringify({ url, tokensFile, connections: CONNECTIONS, seconds: ROUND_SECONDS })], { core: 1 });
  const acceptedAfter = await acceptedConnections(serviceAddress);
  const result = JSON.parse(stdout) as Omit<RoundResult, 'nginxCpu' | 'serviceCpu' | 'opened' | 'timeWait'>;
  return {
    ...result,
    nginxCpu: (cpuSeconds(nginxPid) ?? 0) - nginxBefore,
    serviceCpu: (cpuSeconds(servicePid) ?? 0) - serviceBefore,
    opened: acceptedAfter - acceptedBefore - 1,
    timeWait: timeWaitSockets(Number(new URL(serviceAddress).port)),
  };
}

function describe(name: string, result: RoundResult): string {
  const cpu = `nginx CPU ${fixed((result.nginxCpu / ROUND_SECONDS) * 100, 0)}%, service CPU ${fixed((result.serviceCpu / ROUND_SECONDS) * 100, 0)}%`;
  return `  ${name}: ${fixed(result.perSecond, 0)} requests/s, p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}; ${cpu}`;
}

export async function benchGateway(print: (line: string) => void): Promise<void> {
  if (process.platform !== 'linux' || !existsSync(NGINX)) {
    print(`gateway benchmark: skipped, ${NGINX} is missing (scripts/install-test-packages.sh nginx installs it)`);
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'posture-bench-gateway-'));
  const nginxDir = await mkdtemp(join(tmpdir(), 'posture-bench-nginx-'));
  const { child: service, address } = await startService(dataDir);
  let nginx: PinnedProgram | undefined;
  try {
    const enrolment = (await runNodeScript([SERVICE, 'token', 'create', '--data-dir', dataDir])).trim();
    const gatewayKey = (await runNodeScript([SERVICE, 'apikey', 'create', '--role', 'gateway', '--name', 'bench', '--data-dir', dataDir])).trim();
    const key = Es256Key.generate();
    const deviceId = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
    await post(`${address}/v1/enroll`, JSON.stringify({ evidence: await evidence(address, key, deviceId), jwk: key.publicJwk, token: enrolment }), 'application/json');
    const { result } = (await post(`${address}/v1/attest`, await evidence(address, key, deviceId), 'application/eat+jwt')) as { result: string };
    const tokensFile = join(dataDir, 'result.txt');
    await writeFile(tokensFile, result);

    const listenPort = await freePort();
    nginx = await startNginx(nginxDir, listenPort, nginxConfig(nginxDir, listenPort, Number(new URL(address).port), gatewayKey));
    const guarded = `http://127.0.0.1:${listenPort}/strict/page`;
    const yardstick = `http://127.0.0.1:${listenPort}/static/page`;
    for (const [url, expected] of [[guarded, 200], [yardstick, 200]] as const) {
      const answer = await fetch(url, { headers: { 'x-posture-token': result } });
      if (answer.status !== expected || (await answer.text()) !== STATIC_BODY) throw new Error(`${url} answered ${answer.status}, not ${expected} with the file`);
    }
    if ((await fetch(guarded)).status !== 401) throw new Error(`${guarded} let a request without a Result through`);

    const rounds: { auth: RoundResult; alone: RoundResult }[] = [];
    for (let index = 0; index < ROUNDS; index += 1) {
      rounds.push({
        alone: await round(yardstick, tokensFile, nginx.pid!, service.pid!, address),
        auth: await round(guarded, tokensFile, nginx.pid!, service.pid!, address),
      });
    }
    const ratioOf = ({ auth, alone }: (typeof rounds)[number]) => auth.perSecond / alone.perSecond;
    const ratios = rounds.map(ratioOf);
    const middle = [...rounds].sort((a, b) => ratioOf(a) - ratioOf(b))[Math.floor(rounds.length / 2)]!;
    const ratio = ratioOf(middle);
    const requests = rounds.reduce((sum, { auth }) => sum + auth.total, 0);
    const opened = rounds.reduce((sum, { auth }) => sum + auth.opened, 0);

    print(`gateway benchmark (one run; nginx 1 worker and the service ${canPinToCore ? 'pinned to core 0, the load generator to core 1' : 'not pinned: taskset is missing'}; ${CONNECTIONS} connections; one Result, cached by the service)`);
    print(describe('nginx serving a static file by itself (the median round)', middle.alone));
    print(describe('nginx auth_request + the service, then the same file (the median round)', middle.auth));
    print(`  rounds (${ROUNDS} x ${ROUND_SECONDS} s each, alternating): auth_request / static ${ratios.map((value) => `${fixed(value * 100, 0)}%`).join(', ')}`);
    print(`  goal: nginx auth_request + service >= ${GOAL}x nginx static -> ${ratio >= GOAL ? 'met' : 'NOT met'} (${fixed(ratio, 2)}x; p99 ${middle.auth.p99} ms vs ${middle.alone.p99} ms)`);
    const perRound = rounds.map(({ auth }) => `${auth.opened}${auth.timeWait === null ? '' : ` (${auth.timeWait} sockets in TIME_WAIT after)`}`).join(', ');
    print(`  connections opened at the service: ${fixed((opened / requests) * 1000, 2)} per 1,000 requests (${opened} for ${requests} requests; per round ${perRound})`);
  } finally {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGTERM');
      await new Promise((resolve) => nginx!.once('exit', resolve));
    }
    await stop(service);
    await rm(dataDir, { recursive: true, force: true });
    await rm(nginxDir, { recursive: true, force: true });
  }
}
