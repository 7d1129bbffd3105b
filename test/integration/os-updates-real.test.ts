/**
 * osUpdates on this very machine: installing Debian's unattended-upgrades turns automatic updates
 * on (its debconf default writes /etc/apt/apt.conf.d/20auto-upgrades), and purging it turns them
 * off again. The expectations come from reading the files with a plain regex, not the agent's parser.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { collectPosture } from '../../src/collectors/index.js';
import { createRealHost } from '../../src/exec/real-host.js';

const run = promisify(execFile);
const AUTO_UPGRADES = '/etc/apt/apt.conf.d/20auto-upgrades';
const INSTALL = join(import.meta.dirname, '..', '..', 'scripts', 'install-test-packages.sh');

async function installed(): Promise<boolean> {
  const { stdout } = await run('/usr/bin/dpkg-query', ['-W', '-f=${Status}', 'unattended-upgrades']).catch(() => ({ stdout: '' }));
  return stdout.includes('install ok installed');
}

async function osUpdates() {
  return (await collectPosture(createRealHost())).osUpdates;
}

const canInstall = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && existsSync('/usr/bin/dpkg-query');
const wasInstalled = canInstall ? await installed() : true;

describe.runIf(canInstall && !wasInstalled)('osUpdates on this machine as unattended-upgrades comes and goes', () => {
  afterAll(async () => {
    if (await installed()) await run('/usr/bin/apt-get', ['purge', '-y', '-qq', 'unattended-upgrades'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  });

  it('is disabled without it, enabled once installed (20auto-upgrades), and disabled again once purged', async () => {
    const before = await osUpdates();
    expect(before.status).toBe('disabled');
    expect(before.automaticInstall).toBe(false);

    await run('/bin/bash', [INSTALL, 'unattended-upgrades'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const written = readFileSync(AUTO_UPGRADES, 'utf8');
    expect(written).toMatch(/APT::Periodic::Unattended-Upgrade\s+"1"/);
    const after = await osUpdates();
    expect(after).toMatchObject({ status: 'enabled', automaticCheck: true, automaticInstall: true, source: 'apt (20auto-upgrades)' });

    await run('/usr/bin/apt-get', ['purge', '-y', '-qq', 'unattended-upgrades'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    expect(existsSync(AUTO_UPGRADES)).toBe(false);
    expect((await osUpdates()).status).toBe('disabled');
  }, 300_000);
});
