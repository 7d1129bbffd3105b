// Device certificates from end to end, nothing mocked but the laptop's firewall: the real policy
// service, the real agent daemon on this machine's host (a wrapper answers only for ufw), which
// obtains the device certificate and installs it in a user's NSS database; real nginx and Caddy
// terminating TLS and asking the service with the certificate they saw; Debian's Chromium reading
// that NSS database, with an AutoSelectCertificateForUrls policy; and curl with the PEM pair.
import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/agent/config/agent-config.js';
import { Daemon } from '../../src/agent/daemon/daemon.js';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import { MemoryKeyStore } from '../../src/attest/key-store.js';
import type { Host } from '../../src/collectors/host.js';
import { LINUX_COMMANDS } from '../../src/exec/commands-linux.js';
import { createRealHost } from '../../src/exec/real-host.js';
import { parseServeConfig } from '../../src/server/config.js';
import { API_KEY_PREFIX, ENROLLMENT_TOKEN_PREFIX, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { linuxFixture } from '../fixtures/linux/healthy-linux.js';
import { launchCertificateBrowser, makeServerTls, startMtlsCaddy, startMtlsNginx, type CertificateBrowser, type ServerTls } from '../support/mtls.js';
import { ensureGatewayBinaries, type RunningGateway } from '../support/proxies.js';
import { UPSTREAM_BODY, startUpstream, type Upstream } from '../support/upstream.js';
import { until } from '../support/until.js';

const run = promisify(execFile);
const INSTALL_TEST_PACKAGES = join(import.meta.dirname, '../../scripts/install-test-packages.sh');
const CERTUTIL = '/usr/bin/certutil';
const CURL = '/usr/bin/curl';
const FIX = 'Turn the firewall on: sudo ufw enable.';
/**
 * Under libfaketime (the suite run a year ahead) Caddy, a Go program, keeps the real clock while
 * everything else moves: the certificates made "now" are not yet valid to it. Only nginx then.
 */
const CLOCK_SHIFTED_FOR_THIS_PROCESS_ONLY = process.env['FAKETIME'] !== undefined;

const POLICY = `
id: mtls-e2e
version: 1
rules:
  - id: firewall
    check: firewall.enabled
    severity: block
    remediation: { linux: "${FIX}", darwin: "Turn the firewall on.", win32: "Turn the firewall on." }
tiers:
  basic: [firewall]
gracePeriod: 0
`;

/** This machine, except that ufw says what the test wants. */
function hostWithFirewall(firewall: { on: boolean }): Host {
  const real = createRealHost({ platform: 'linux' });
  const ufw = [LINUX_COMMANDS.ufw, '/sbin/ufw'];
  return {
    platform: 'linux',
    run: (file, args, options) => {
      if (ufw.includes(file)) return Promise.resolve({ stdout: linuxFixture('ufw-status', firewall.on ? 'vm-active-no-rules' : 'vm-inactive'), stderr: '', exitCode: 0 });
      if (file === LINUX_COMMANDS.nft) return Promise.resolve({ stdout: '{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}]}', stderr: '', exitCode: 0 });
      return real.run(file, args, options);
    },
    readFile: (path) => (path === '/etc/ufw/ufw.conf' ? Promise.resolve(`ENABLED=${firewall.on ? 'yes' : 'no'}\n`) : real.readFile(path)),
    readDir: (path) => real.readDir(path),
    realPath: (path) => (ufw.includes(path) ? Promise.resolve(path) : real.realPath(path)),
    systemInfo: () => real.systemInfo!(),
  };
}

/** A user's home with an NSS database that trusts the gateways' server CA (as a company's would). */
async function browserHome(tls: ServerTls): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'posture-browser-home-'));
  const db = join(home, '.pki', 'nssdb');
  await mkdir(db, { recursive: true });
  await run(CERTUTIL, ['-N', '-d', `sql:${db}`, '--empty-password']);
  await run(CERTUTIL, ['-A', '-n', 'gateway server CA', '-t', 'C,,', '-i', tls.caFile, '-d', `sql:${db}`]);
  return home;
}

function commonName(pem: string): string {
  const line = new X509Certificate(pem).subject.split('\n').find((part) => part.startsWith('CN='));
  return line!.slice(3);
}

describe('device certificates at real gateways, in a real browser, decided live', () => {
  const firewall = { on: true };
  let work: string;
  let service: RunningService;
  let upstream: Upstream;
  let tls: ServerTls;
  let nginx: RunningGateway;
  let caddy: RunningGateway | undefined;
  let home: string;
  let stateDir: string;
  let daemon: Daemon;
  let browser: CertificateBrowser;
  let adminKey: string;
  const deviceId = deriveDeviceId(randomBytes(16).toString('hex'), 'linux');

  beforeAll(async () => {
    await ensureGatewayBinaries();
    await run(INSTALL_TEST_PACKAGES, ['libnss3-tools', 'openssl', 'curl'], { timeout: 600_000 });
    work = await mkdtemp(join(tmpdir(), 'posture-mtls-e2e-'));
    await writeFile(join(work, 'policy.yaml'), POLICY);
    service = await startService(parseServeConfig({ dataDir: join(work, 'service'), port: '0', policy: join(work, 'policy.yaml'), logLevel: 'silent' }));
    const { store } = service;
    const gateway = newSecret(API_KEY_PREFIX);
    const admin = newSecret(API_KEY_PREFIX);
    const token = newSecret(ENROLLMENT_TOKEN_PREFIX);
    const now = new Date();
    await store.createApiKey({ id: gateway.id, keyHash: gateway.hash, role: 'gateway', name: 'gateways', createdAt: now, revokedAt: null });
    await store.createApiKey({ id: admin.id, keyHash: admin.hash, role: 'admin', name: 'it', createdAt: now, revokedAt: null });
    await store.createEnrollmentToken({ id: token.id, tokenHash: token.hash, usesLeft: 1, expiresAt: new Date(now.getTime() + 3_600_000), createdAt: now, note: null });
    adminKey = admin.secret;

    const deviceCaFile = join(work, 'posture-device-ca.pem');
    await writeFile(deviceCaFile, await (await fetch(`${service.address}/v1/ca.pem`)).text());
    upstream = await startUpstream();
    tls = await makeServerTls();
    const servicePort = Number(new URL(service.address).port);
    const gatewayOptions = { servicePort, upstreamPort: upstream.port, tier: 'basic', gatewayKey: gateway.secret, tls, deviceCaFile };
    nginx = await startMtlsNginx(gatewayOptions);
    if (!CLOCK_SHIFTED_FOR_THIS_PROCESS_ONLY) caddy = await startMtlsCaddy(gatewayOptions);

    // The employee's agent: enrols, delivers, obtains the certificate and installs it in their NSS database.
    home = await browserHome(tls);
    stateDir = await mkdtemp(join(tmpdir(), 'posture-mtls-agent-'));
    const config = { ...DEFAULT_CONFIG, serviceUrl: service.publicUrl, enrollmentToken: token.secret, checkIntervalSeconds: 3600, deviceCertificate: true };
    daemon = new Daemon({
      stateDir,
      host: hostWithFirewall(firewall),
      keyStore: new MemoryKeyStore(),
      deviceId: () => Promise.resolve(deviceId),
      loadConfig: () => Promise.resolve({ config, files: [] }),
      log: pino({ level: 'silent' }),
      watchEnvironment: false,
      home,
    });
    await daemon.start();
    await until('the device certificate', () => daemon.status().certificate, { deadlineMs: 30_000 });
    const listed = await run(CERTUTIL, ['-L', '-d', `sql:${join(home, '.pki', 'nssdb')}`]);
    expect(listed.stdout).toContain(`posture-agent device ${deviceId}`);

    browser = await launchCertificateBrowser({
      home,
      origins: gateways().map((gateway) => gateway.url),
      issuerCn: commonName(await readFile(deviceCaFile, 'utf8')),
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    await nginx?.stop();
    await caddy?.stop();
    await upstream?.stop();
    await service?.close();
    for (const dir of [work, home, stateDir, tls?.dir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  const gateways = (): RunningGateway[] => (caddy === undefined ? [nginx] : [nginx, caddy]);

  it('lets the compliant device\'s browser in through nginx and Caddy, with the certificate the agent installed', async () => {
    for (const gateway of gateways()) {
      const page = await browser.open(`${gateway.url}/wiki/${gateway.name}`);
      expect([gateway.name, page.status, page.text.trim()]).toEqual([gateway.name, 200, UPSTREAM_BODY]);
    }
    expect(upstream.saw('/wiki/nginx')[0]!.headers['x-posture-device']).toBe(deviceId);
  });

  it('shows the denial page naming the firewall and its fix once the next check sees it off, and lets the device in again once it is on', async () => {
    firewall.on = false;
    await daemon.checkNow('firewall turned off');
    for (const gateway of gateways()) {
      const before = upstream.requests.length;
      const page = await browser.open(`${gateway.url}/wiki/denied`);
      expect([gateway.name, page.status]).toEqual([gateway.name, 403]);
      expect(page.text).toContain('does not meet the security requirements');
      expect(page.text).toContain('Firewall');
      expect(page.text).toContain(FIX);
      expect(page.text).toContain(deviceId);
      expect(upstream.requests.length).toBe(before);
    }

    firewall.on = true;
    await daemon.checkNow('firewall turned on');
    for (const gateway of gateways()) {
      const page = await browser.open(`${gateway.url}/wiki/back`);
      expect([gateway.name, page.status, page.text.trim()]).toEqual([gateway.name, 200, UPSTREAM_BODY]);
    }
  });

  it('lets curl in with the PEM pair, and turns it away without it', async () => {
    const files = ['--cert', join(stateDir, 'tls-cert.pem'), '--key', join(stateDir, 'tls-key.pem')];
    for (const gateway of gateways()) {
      const url = `${gateway.url}/git/${gateway.name}`;
      const allowed = await run(CURL, ['-sS', '--cacert', tls.caFile, ...files, '-o', '-', '-w', '\n%{http_code}', url]);
      expect(allowed.stdout).toBe(`${UPSTREAM_BODY}\n200`);
      const refused = await run(CURL, ['-sS', '--cacert', tls.caFile, '-o', '/dev/null', '-w', '%{http_code}', url]);
      expect([gateway.name, refused.stdout]).toEqual([gateway.name, '401']);
    }
  });

  it('tells a browser without a certificate how to install and enrol the agent', async () => {
    const stranger = await launchCertificateBrowser({ home: await browserHome(tls), origins: gateways().map((gateway) => gateway.url), issuerCn: 'no such CA' });
    try {
      for (const gateway of gateways()) {
        const page = await stranger.open(`${gateway.url}/wiki/stranger`);
        expect([gateway.name, page.status]).toEqual([gateway.name, 401]);
        expect(page.text).toContain('This device is not recognised');
        expect(page.text).toContain(`posture-agent enroll --server ${service.publicUrl} --token TOKEN`);
      }
    } finally {
      await stranger.close();
    }
  }, 60_000);

  it('denies a revoked device at once', async () => {
    const revoked = await fetch(`${service.address}/v1/devices/${deviceId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
    expect(revoked.status).toBe(200);
    for (const gateway of gateways()) {
      const page = await browser.open(`${gateway.url}/wiki/revoked`);
      expect([gateway.name, page.status]).toEqual([gateway.name, 403]);
      expect(page.text).toContain('This device has been blocked');
    }
  });
});
