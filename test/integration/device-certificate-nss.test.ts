/**
 * The Linux store for real: the agent's LinuxNssStore drives Debian's certutil, pk12util and
 * openssl (through the real Host and its allow-list) against a temporary HOME, then certutil
 * itself proves what the database holds.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCertificate, generateTlsKey, writeCertificateFiles, certificateFiles } from '../../src/agent/certificate/certificate-files.js';
import { LinuxNssStore } from '../../src/agent/certificate/stores/linux-nss.js';
import { createRealHost } from '../../src/exec/real-host.js';
import { createTestCa, type TestCa } from '../support/test-device-ca.js';

const run = promisify(execFile);
const INSTALL_TEST_PACKAGES = join(import.meta.dirname, '../../scripts/install-test-packages.sh');
const DEVICE = 'a1b2c3d4-0000-4000-8000-00000000abcd';
const NICKNAME = `posture-agent device ${DEVICE}`;

async function certutil(...args: string[]): Promise<string> {
  return (await run('/usr/bin/certutil', args)).stdout;
}

describe.runIf(process.platform === 'linux')('device certificate in a real NSS database', () => {
  let home: string;
  let stateDir: string;
  let ca: TestCa;

  beforeAll(async () => {
    await run(INSTALL_TEST_PACKAGES, ['libnss3-tools', 'openssl'], { timeout: 600_000 });
    home = await mkdtemp(join(tmpdir(), 'nss-home-'));
    stateDir = join(home, 'state');
    ca = await createTestCa();
  }, 620_000);

  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function issueInto(lifetimeMs: number) {
    const key = generateTlsKey();
    const now = Date.now();
    const issued = await ca.issue({ deviceId: DEVICE, tlsKey: key.publicJwk, notBefore: new Date(now - 300_000), notAfter: new Date(now + lifetimeMs) });
    await writeCertificateFiles(stateDir, { keyPem: key.privatePem, certificatePem: issued.pem, caPems: [ca.pem] });
    return { ...certificateFiles(stateDir), certificate: describeCertificate(issued.pem) };
  }

  function serialsIn(listing: string): string[] {
    return [...listing.matchAll(/Serial Number:\s*\n?\s*([0-9a-f:]+)/gi)].map((match) => match[1]!.replaceAll(':', '').toLowerCase());
  }

  it('creates the database, imports key and certificate, replaces the old one on renewal, and removes all on revocation', async () => {
    const store = new LinuxNssStore({ host: createRealHost({ platform: 'linux' }), home, deviceId: DEVICE });
    const db = `sql:${join(home, '.pki', 'nssdb')}`;
    expect(store.name).toBe(`nss:${join(home, '.pki', 'nssdb')}`);

    const first = await issueInto(7 * 86_400_000);
    await store.install(first);
    expect((await stat(join(home, '.pki', 'nssdb', 'cert9.db'))).isFile()).toBe(true);
    expect(await certutil('-L', '-d', db)).toMatch(new RegExp(`${NICKNAME}\\s+u,u,u`));
    expect(await certutil('-K', '-d', db)).toContain(NICKNAME);
    expect(serialsIn(await certutil('-L', '-d', db, '-n', NICKNAME))).toEqual([first.certificate.serial]);

    const second = await issueInto(8 * 86_400_000);
    await store.install(second);
    const listing = await certutil('-L', '-d', db);
    expect(listing.split('\n').filter((line) => line.startsWith(NICKNAME))).toHaveLength(1);
    expect(serialsIn(await certutil('-L', '-d', db, '-n', NICKNAME))).toEqual([second.certificate.serial]);
    const keys = (await certutil('-K', '-d', db)).split('\n').filter((line) => line.includes(NICKNAME));
    expect(keys).toHaveLength(1);

    await store.remove();
    expect(await certutil('-L', '-d', db)).not.toContain(NICKNAME);
    expect(await certutil('-K', '-d', db).catch(() => '')).not.toContain(NICKNAME);
  }, 60_000);
});
