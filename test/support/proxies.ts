/**
 * Real gateways for end-to-end tests: nginx (auth_request) and Caddy (forward_auth), each with
 * its own configuration in a temp directory, on a free port of 127.0.0.1, as the current user,
 * in the foreground (stopped in afterAll; killed if the test process exits first). When a binary
 * is missing (a fresh CI machine), scripts/install-test-packages.sh installs the Debian package.
 *
 * The configurations are the documented ones (docs/examples/nginx-posture.conf and
 * caddy-posture.caddyfile, shown in docs/gateways.md): one path prefix per policy tier,
 * `/<tier>/...`, each guarded by GET /v1/authz?tier=<tier> on the policy service.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { access, constants, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CADDY_EXAMPLE, NGINX_EXAMPLE, caddyFromExample, nginxFromExample } from '../../src/bench/documented-gateways.js';
import { accepts, freePort } from '../../src/exec/local-ports.js';

const run = promisify(execFile);

export const NGINX = '/usr/sbin/nginx';
export const CADDY = '/usr/bin/caddy';
const INSTALL_TEST_PACKAGES = join(import.meta.dirname, '../../scripts/install-test-packages.sh');
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export interface GatewayOptions {
  /** The policy service on 127.0.0.1. */
  servicePort: number;
  /** The protected application on 127.0.0.1. */
  upstreamPort: number;
  /** One protected prefix per tier: /<tier>/... needs GET /v1/authz?tier=<tier>. */
  tiers: readonly string[];
  /** A gateway API key the gateway presents in X-Posture-Gateway-Key (docs/gateways.md, "Rate limit"). */
  gatewayKey?: string;
}

export interface RunningGateway {
  name: 'nginx' | 'caddy';
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  dir: string;
  /** The configuration file it runs with. */
  config: string;
  /** What it logged so far (stdout, stderr and its error log). */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

/** Installs nginx and Caddy (one apt run) when either binary is missing, then checks auth_request. */
export async function ensureGatewayBinaries(): Promise<void> {
  const wanted = [
    { binary: NGINX, pkg: 'nginx' },
    { binary: CADDY, pkg: 'caddy' },
  ];
  const missing: string[] = [];
  for (const { binary, pkg } of wanted) if (!(await isExecutable(binary))) missing.push(pkg);
  if (missing.length > 0) {
    await run(INSTALL_TEST_PACKAGES, missing, { timeout: 600_000 });
    for (const { binary, pkg } of wanted) {
      if (!(await isExecutable(binary))) throw new Error(`${binary} is still missing after installing the Debian package ${pkg}.`);
    }
  }
  // nginx -V prints its build flags on stderr.
  const { stderr } = await run(NGINX, ['-V']);
  if (!stderr.includes('--with-http_auth_request_module')) throw new Error(`${NGINX} was built without the auth_request module.`);
}

/** The nginx configuration: the http block is docs/examples/nginx-posture.conf, for this instance. */
export function nginxConfig(options: GatewayOptions & { listenPort: number; dir: string }): string {
  const { dir } = options;
  const http = nginxFromExample(readFileSync(NGINX_EXAMPLE, 'utf8'), {
    ...options,
    http: [
      `access_log ${join(dir, 'access.log')};`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `${kind}_temp_path ${join(dir, 'tmp', kind)};`),
    ],
    server: '\n        location / {\n            return 404;\n        }\n',
  });
  return `# Test instance: foreground, one process, every file under ${dir}.
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} notice;

events {
    worker_connections 256;
}

${http}`;
}

/** The Caddyfile: the site block is docs/examples/caddy-posture.caddyfile, for this instance. */
export function caddyConfig(options: GatewayOptions & { listenPort: number; dir: string }): string {
  return `# Test instance: no admin endpoint, no automatic HTTPS, state under ${options.dir}.
{
	admin off
	auto_https off
	grace_period 2s
	storage file_system ${join(options.dir, 'storage')}
}

${caddyFromExample(readFileSync(CADDY_EXAMPLE, 'utf8'), options)}`;
}

export async function startNginx(options: GatewayOptions): Promise<RunningGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-nginx-'));
  await mkdir(join(dir, 'tmp'));
  const port = await freePort();
  const config = join(dir, 'nginx.conf');
  await writeFile(config, nginxConfig({ ...options, listenPort: port, dir }));
  const child = spawn(NGINX, ['-p', dir, '-c', config, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  return running('nginx', child, dir, config, port, () => readFile(join(dir, 'error.log'), 'utf8').catch(() => ''));
}

export async function startCaddy(options: GatewayOptions): Promise<RunningGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-caddy-'));
  const port = await freePort();
  const config = join(dir, 'Caddyfile');
  await writeFile(config, caddyConfig({ ...options, listenPort: port, dir }));
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
  const child = spawn(CADDY, ['run', '--config', config, '--adapter', 'caddyfile'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  return running('caddy', child, dir, config, port, () => Promise.resolve(''));
}

export async function running(
  name: RunningGateway['name'],
  child: ChildProcess,
  dir: string,
  config: string,
  port: number,
  extraLog: () => Promise<string>,
): Promise<RunningGateway> {
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolve();
    }),
  );
  // If the test process dies before afterAll, do not leave the gateway running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const logs = async () => `${output.join('')}${await extraLog()}`;

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (exitCode !== undefined) {
      process.removeListener('exit', killOnExit);
      throw new Error(`${name} exited with ${exitCode} before it listened:\n${await logs()}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      process.removeListener('exit', killOnExit);
      throw new Error(`${name} did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms:\n${await logs()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  let stopping: Promise<void> | undefined;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    config,
    logs,
    stop: () =>
      (stopping ??= (async () => {
        if (exitCode === undefined) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(timer);
        }
        process.removeListener('exit', killOnExit);
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

export { freePort };

export async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}
