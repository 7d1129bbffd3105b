// `npm start` and `npm run dist` without a network (scripts/electron-tool.mjs): one line with an
// ERR_* code and what to do, exit 2, never a stack trace. The network is taken away by pointing
// Electron's downloads at a closed local port with an empty cache, so this holds on any machine.
import { execFile } from 'node:child_process';
import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/service-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TOOL = join(ROOT, 'scripts', 'electron-tool.mjs');
const STACK = /^\s+at /m;

/** A local port nothing listens on: a download from it fails at once, as without a network. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function runTool(cwd: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Without VITEST* in its environment: electron-builder logs differently under vitest.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
    execFile(process.execPath, [TOOL, ...args], { cwd, env: { ...inherited, ...env }, timeout: 110_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let work: Awaited<ReturnType<typeof tempDir>>;
let offline: Record<string, string>;

beforeAll(async () => {
  work = await tempDir('posture-electron-tool-');
  const mirror = `http://127.0.0.1:${await closedPort()}/`;
  const cache = join(work.path, 'cache');
  await mkdir(cache);
  offline = { ELECTRON_MIRROR: mirror, electron_config_cache: cache, ELECTRON_CACHE: cache, ELECTRON_BUILDER_CACHE: cache };
});

afterAll(async () => {
  await work?.remove();
});

describe('npm start without the Electron binary and without a network', () => {
  it('says in one line that the download failed and what to do, exit 2', async () => {
    // A project whose Electron package has never downloaded its binary (whatever this machine has).
    const project = join(work.path, 'project');
    await mkdir(join(project, 'node_modules'), { recursive: true });
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'tray', private: true, main: 'index.js' }));
    await cp(join(ROOT, 'node_modules', 'electron'), join(project, 'node_modules', 'electron'), {
      recursive: true,
      filter: (source) => !source.includes(join('electron', 'dist')) && !source.endsWith('path.txt'),
    });
    await symlink(join(ROOT, 'node_modules', '@electron'), join(project, 'node_modules', '@electron'));

    const { code, stderr } = await runTool(project, ['start'], offline);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^npm start needs the Electron [\d.]+ binary and could not download it \(.+\): check the network .* \[ERR_DOWNLOAD_FAILED\]$/);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(stderr).not.toMatch(STACK);
  });

  it('names a missing binary when ELECTRON_OVERRIDE_DIST_PATH points nowhere', async () => {
    const { code, stderr } = await runTool(ROOT, ['start'], { ELECTRON_OVERRIDE_DIST_PATH: join(work.path, 'nowhere') });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^The Electron binary is not at .*nowhere.* \[ERR_COMMAND_NOT_FOUND\]$/)]);
  });
});

describe('npm run dist without a network', () => {
  it('passes electron-builder\'s progress through, then one line instead of its stack trace, exit 2', async () => {
    const output = join(work.path, 'release');
    const { code, stdout, stderr } = await runTool(ROOT, ['dist', '--linux', 'dir', `-c.directories.output=${output}`], offline);
    expect(code).toBe(2);
    expect(stdout).toContain('loaded configuration');
    expect(stdout).not.toMatch(STACK);
    expect(stdout).not.toContain('⨯');
    expect(stderr).not.toMatch(STACK);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^npm run dist could not download what electron-builder needs \(connect ECONNREFUSED 127\.0\.0\.1:\d+\): .*full output in .*electron-builder\.log\. \[ERR_DOWNLOAD_FAILED\]$/)]);
  }, 120_000);
});
