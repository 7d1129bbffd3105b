import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAllowList } from '../../../src/exec/allow-list.js';
import { childEnvironment, runCommand } from '../../../src/exec/run-command.js';
import { AgentError } from '../../../src/shared/errors.js';

// Real child processes: the test runs Node itself as the allowed program.
const NODE = process.execPath;
const allowList = createAllowList({ node: NODE, missing: '/nonexistent/posture-agent-test-binary' }, {
  '/nonexistent/posture-agent-test-binary': [],
});

async function rejection(promise: Promise<unknown>): Promise<AgentError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AgentError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** A killed process whose parent is gone can stay a zombie where PID 1 does not reap: that is not running. */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runCommand', () => {
  it('runs an allowed program with an argument array and returns its output and exit code', async () => {
    const result = await runCommand(NODE, ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'], { allowList });
    expect(result).toEqual({ stdout: 'out', stderr: 'err', exitCode: 3 });
  });

  it('passes arguments literally: no shell ever sees them', async () => {
    const hostile = '$(touch /tmp/pwned); `id`; echo hi | cat > x && rm -rf ~';
    const result = await runCommand(NODE, ['-e', 'process.stdout.write(process.argv[1])', hostile], { allowList });
    expect(result.stdout).toBe(hostile);
  });

  it('refuses a program that is not on the allow-list, without starting anything', async () => {
    let spawned = 0;
    const error = await rejection(runCommand('/bin/sh', ['-c', 'true'], { allowList, onSpawn: () => (spawned += 1) }));
    expect(error.code).toBe('ERR_COMMAND_NOT_ALLOWED');
    expect(spawned).toBe(0);
  });

  it('reports an allowed program that is not installed as not found, without starting anything', async () => {
    let spawned = 0;
    const error = await rejection(runCommand('/nonexistent/posture-agent-test-binary', [], { allowList, onSpawn: () => (spawned += 1) }));
    expect(error.code).toBe('ERR_COMMAND_NOT_FOUND');
    expect(spawned).toBe(0);
  });

  it('falls back to an alternative path where the canonical one is missing', async () => {
    const list = createAllowList({ tool: '/nonexistent/tool' }, { '/nonexistent/tool': [NODE] });
    const result = await runCommand('/nonexistent/tool', ['-e', 'process.stdout.write("alt")'], { allowList: list });
    expect(result.stdout).toBe('alt');
  });

  it('kills a hung command and its children at the timeout', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const script = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' });
      require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
      setInterval(() => {}, 1000);`;
    const error = await rejection(runCommand(NODE, ['-e', script], { allowList, timeoutMs: 1500 }));
    expect(error.code).toBe('ERR_COMMAND_TIMEOUT');
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isRunning(grandchild)).toBe(false);
  });

  it('refuses output beyond the cap', async () => {
    const error = await rejection(
      runCommand(NODE, ['-e', 'process.stdout.write("x".repeat(300000))'], { allowList, maxOutputBytes: 100_000 }),
    );
    expect(error.code).toBe('ERR_COMMAND_OUTPUT_TOO_LARGE');
  });

  it('gives children a minimal environment with the C locale', async () => {
    const result = await runCommand(NODE, ['-e', 'process.stdout.write(JSON.stringify(process.env))'], { allowList });
    const env = JSON.parse(result.stdout) as Record<string, string>;
    expect(env['LC_ALL']).toBe('C');
    expect(env['PATH']).toBe('/usr/sbin:/usr/bin:/sbin:/bin');
    expect(Object.keys(env).filter((key) => !['LC_ALL', 'LANG', 'PATH', 'PWD', 'SHLVL', '_'].includes(key))).toEqual([]);
  });

  it('keeps only the Windows variables a system program needs', () => {
    const env = childEnvironment('win32', { SystemRoot: 'C:\\Windows', SECRET_TOKEN: 'x', PATH: 'C:\\evil' });
    expect(env).toEqual({ PATH: 'C:\\Windows\\System32;C:\\Windows', SystemRoot: 'C:\\Windows' });
  });

  it('keeps bytes of output that is not UTF-8', async () => {
    const result = await runCommand(NODE, ['-e', 'process.stdout.write(Buffer.from([0x56, 0x6f, 0x6c, 0x81, 0x6d, 0x65]))'], { allowList });
    expect(result.stdout).toBe('Vol\u0081me');
  });
});
