// The real command line in real processes: identity is stable across runs and processes.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import { verifyEvidence } from '../../src/attest/verify-evidence.js';

const run = promisify(execFile);
const AGENT = join(import.meta.dirname, '../../dist/bin/agent.js');
let stateDir: string;

function agent(...args: string[]) {
  return run(process.execPath, [AGENT, ...args, '--state-dir', stateDir], { env: { ...process.env, NO_COLOR: '1' } });
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'posture-proc-'));
});
afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('posture-agent in separate processes', () => {
  it('derives the same device id in every process, from this machine\'s machine id', async () => {
    // check exits 1 on a non-compliant machine; its stdout is the report either way.
    const report = () => agent('check', '--json').catch((error: unknown) => error as { stdout: string });
    const [first, second] = await Promise.all([report(), report()]);
    const ids = [first, second].map((result) => (JSON.parse(result.stdout) as { device: { id: string } }).device.id);
    const machineId = (await readFile('/etc/machine-id', 'utf8')).trim();
    expect(ids).toEqual([deriveDeviceId(machineId, 'linux'), deriveDeviceId(machineId, 'linux')]);
  });

  it('loads for `check` only what a check uses: no schema, token, logging, HTTP or database library', async () => {
    // A module hook in the checked process writes every module it loads, one URL a line, to MODULE_LOG.
    const log = join(stateDir, 'modules.log');
    const hooks = `import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    await run(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, AGENT, 'check', '--json', '--state-dir', stateDir]).catch((error: unknown) => error);
    const loaded = (await readFile(log, 'utf8')).split('\n').filter((url) => url !== '');
    expect(loaded.some((url) => url.endsWith('/dist/collectors/index.js'))).toBe(true);
    const packages = [...new Set(loaded.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []))].sort();
    // node-machine-id only where /etc/machine-id cannot be read.
    expect(packages.filter((name) => name !== 'node-machine-id')).toEqual(['commander']);
  });

  it('keeps one device key across processes, in a 0600 file', async () => {
    const first = JSON.parse((await agent('key')).stdout) as { kid: string };
    const second = JSON.parse((await agent('key')).stdout) as { kid: string };
    expect(second.kid).toBe(first.kid);
    expect((await stat(join(stateDir, 'device-key.json'))).mode & 0o777).toBe(0o600);
  });

  it('signs Evidence another process verifies with the printed key', async () => {
    const jwk = JSON.parse((await agent('key')).stdout) as { kid: string; kty: 'EC'; crv: 'P-256'; x: string; y: string };
    const nonce = 'bm9uY2Utbm9uY2Utbm9uY2U';
    const token = (await agent('attest', '--audience', 'https://posture.example.com', '--nonce', nonce)).stdout.trim();
    const verified = await verifyEvidence(token, {
      audience: 'https://posture.example.com',
      resolveKey: (kid) => Promise.resolve(kid === jwk.kid ? jwk : null),
      consumeNonce: (presented) => Promise.resolve(presented === nonce),
      recordJti: () => Promise.resolve(true),
    });
    expect(verified.posture.os.id).toBe('debian');
  });

  it('answers a bad flag with one line, exit 2 and no stack', async () => {
    const failure = await agent('attest', '--audience', 'https://x.example', '--nonce', 'short').catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  });
});
