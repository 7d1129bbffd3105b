// The tray window in real Chromium, backed by the real agent core in this test process: the built
// page and the built preload script (dist/preload/index.cjs, given a stand-in `electron` module
// whose ipcRenderer calls Node through Playwright's exposeFunction) talk to the real TrayApp (with
// fake Electron surfaces), its in-process backend, the real Daemon (collect → policy → Evidence
// signed with a device key) and a real policy service (SQLite, HTTP). Only Electron is faked.
//
// One window runs the collectors on this very machine; another runs them on a fake host the test
// changes, so a click on "Check now" turns the window from compliant to warning and back. Screenshots:
// test-artifacts/tray/real-core-<case>.png.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/agent/config/agent-config.js';
import { Daemon } from '../../src/agent/daemon/daemon.js';
import type { DaemonStatus } from '../../src/api/local-api-types.js';
import { deriveDeviceId } from '../../src/attest/device-id.js';
import { MemoryKeyStore } from '../../src/attest/key-store.js';
import { LINUX_COMMANDS } from '../../src/exec/commands-linux.js';
import { createRealHost, currentPlatform } from '../../src/exec/real-host.js';
import type { Host } from '../../src/collectors/host.js';
import type { LoginItem } from '../../src/main/login-item.js';
import { TrayApp } from '../../src/main/tray-app.js';
import { parseServeConfig } from '../../src/server/config.js';
import { ENROLLMENT_TOKEN_PREFIX, hashSecret, newSecret } from '../../src/server/secrets.js';
import { startService, type RunningService } from '../../src/server/start-service.js';
import { InProcessBackend } from '../../src/tray/agent-backends.js';
import { IPC_CHANNELS } from '../../src/tray/ipc-contract.js';
import { healthyLinux, type LinuxScript } from '../fixtures/linux/healthy-linux.js';
import { launchChromium, openWindowPage, RENDERER_DIR, waitForWindow, type WindowPage } from '../support/chromium.js';
import { createFakeSurface, type FakeSurface, type FakeWindow } from '../support/fake-electron.js';
import { createFakeHost } from '../support/fake-host.js';
import { until } from '../support/until.js';

const ROOT = join(import.meta.dirname, '../..');
const ARTIFACTS = join(ROOT, 'test-artifacts/tray');
const PRELOAD = join(ROOT, 'dist/preload/index.cjs');

const POLICY = `
id: tray-e2e
version: 4
rules:
  - { id: disk-encryption, check: diskEncryption.system, severity: block }
  - { id: antivirus, check: antivirus.active, severity: block }
  - { id: firewall, check: firewall.enabled, severity: block }
tiers:
  basic: [disk-encryption]
  strict: [disk-encryption, antivirus, firewall]
gracePeriod: 48h
`;

/** The words the window uses for each status. */
const STATUS_TEXT = { pass: 'Passed', fail: 'Failed', unknown: 'Unknown' } as const;

const INVOKE = '__postureTestIpcInvoke';
const DELIVER = '__postureTestIpcDeliver';

/**
 * Runs the built preload script in the page with a stand-in for the `electron` module: what
 * contextBridge exposes becomes a frozen global, ipcRenderer.invoke calls Node, and messages main
 * sends reach the listeners ipcRenderer.on registered.
 */
function preloadWithElectronStandIn(preloadSource: string): string {
  return `(() => {
  const listeners = new Map();
  const electron = {
    contextBridge: {
      exposeInMainWorld(key, api) {
        Object.defineProperty(globalThis, key, { value: Object.freeze(api), enumerable: true });
      },
    },
    ipcRenderer: {
      invoke: (channel, ...args) => globalThis.${INVOKE}(channel, args),
      on(channel, listener) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel).add(listener);
      },
      removeListener(channel, listener) {
        listeners.get(channel)?.delete(listener);
      },
    },
  };
  Object.defineProperty(globalThis, '${DELIVER}', {
    value: (channel, args) => {
      for (const listener of listeners.get(channel) ?? []) listener({}, ...args);
    },
  });
  const module = { exports: {} };
  const require = (name) => {
    if (name === 'electron') return electron;
    throw new Error('the preload may only require electron, not ' + name);
  };
  (function (require, module, exports) {
${preloadSource}
  })(require, module, module.exports);
})();`;
}

let serviceDir: string;
let service: RunningService;
let serviceClosed = false;
let serviceUrl: string;
let browser: Browser;
let preloadScript: string;

interface RunningTray {
  app: TrayApp;
  daemon: Daemon;
  surface: FakeSurface;
  window: FakeWindow;
  page: Page;
  opened: WindowPage;
  deviceId: string;
  stateDir: string;
  /** Every channel and view main sent to the window. */
  delivered: string[];
}

const running: RunningTray[] = [];

async function enrolmentToken(): Promise<string> {
  const secret = newSecret(ENROLLMENT_TOKEN_PREFIX);
  const now = new Date();
  await service.store.createEnrollmentToken({ id: secret.id, tokenHash: hashSecret(secret.secret), usesLeft: 1, expiresAt: new Date(now.getTime() + 3_600_000), createdAt: now, note: null });
  return secret.secret;
}

function memoryLoginItem(): LoginItem {
  let enabled = false;
  return {
    isEnabled: () => Promise.resolve(enabled),
    setEnabled: (value) => ((enabled = value), Promise.resolve()),
  };
}

/** The tray app as src/main/index.ts assembles it for the in-process agent, with its window open in Chromium. */
async function startTray(host: Host, now?: () => Date): Promise<RunningTray> {
  const stateDir = await mkdtemp(join(tmpdir(), 'posture-tray-core-'));
  const deviceId = deriveDeviceId(randomBytes(16).toString('hex'), 'linux');
  const config = { ...DEFAULT_CONFIG, serviceUrl, enrollmentToken: await enrolmentToken(), checkIntervalSeconds: 3600 };
  const backend = new InProcessBackend();
  const daemon = new Daemon({
    stateDir,
    host,
    keyStore: new MemoryKeyStore(),
    deviceId: () => Promise.resolve(deviceId),
    loadConfig: () => Promise.resolve({ config, files: [] }),
    log: pino({ level: 'silent' }),
    watchEnvironment: false,
    onChange: backend.changed,
    ...(now ? { now } : {}),
  });
  backend.attach(daemon);
  await daemon.start();

  const surface = createFakeSurface('linux', { XDG_CURRENT_DESKTOP: 'KDE' });
  surface.paths = { preload: PRELOAD, renderer: join(RENDERER_DIR, 'index.html'), assets: join(ROOT, 'assets') };
  const app = new TrayApp({ surface, backend, loginItem: memoryLoginItem(), hidden: false, formatDate: (iso) => iso });
  expect(await app.start()).toBe(true);
  const [window] = surface.windows;
  if (!window) throw new Error('the tray app opened no window');
  expect(window.loaded).toBe(surface.paths.renderer);
  expect(window.options.webPreferences.preload).toBe(PRELOAD);

  // Main may send while Chromium is still opening the page; the page then gets the latest view
  // once it is ready (in Electron it would have asked for the view after those sends anyway).
  const delivered: string[] = [];
  let page: Page | null = null;
  const pending: { channel: string; args: unknown[] }[] = [];
  const deliver = (target: Page, channel: string, args: unknown[]): void => {
    delivered.push(channel);
    void target
      .evaluate(({ name, channel: sentOn, args: sent }) => (globalThis as unknown as Record<string, (channel: string, args: unknown[]) => void>)[name]?.(sentOn, sent), { name: DELIVER, channel, args })
      .catch(() => undefined);
  };
  const recordSend = window.webContents.send.bind(window.webContents);
  window.webContents.send = (channel, ...args) => {
    recordSend(channel, ...args);
    if (page) deliver(page, channel, args);
    else pending.push({ channel, args });
  };
  const opened = await openWindowPage(browser, {
    initScripts: [{ content: preloadScript }],
    exposedBindings: {
      // What Electron's ipcMain does for ipcRenderer.invoke: the registered handler, with the
      // sender's webContents and the calling frame (its real URL, so the sender check is the real one).
      [INVOKE]: (source: { frame: Frame }, channel: string, args: unknown[]) => {
        const handler = surface.handlers.get(channel);
        if (!handler) throw new Error(`No handler registered for '${channel}'`);
        return handler({ sender: { id: window.webContents.id }, senderFrame: { url: source.frame.url() } }, ...args);
      },
    },
  });
  page = opened.page;
  const latest = pending.at(-1);
  if (latest) deliver(page, latest.channel, latest.args);
  await waitForWindow(opened.page);

  const tray = { app, daemon, surface, window, page: opened.page, opened, deviceId, stateDir, delivered };
  running.push(tray);
  return tray;
}


/** The daemon's status once no check runs and it is in this state. */
function settledIn(tray: RunningTray, state: DaemonStatus['state']): DaemonStatus | null {
  const status = tray.daemon.status();
  return !status.checking && status.state === state && status.lastDeliveryAt ? status : null;
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? '').trim();
}

/** The window shows exactly what the agent core says: state, headline, every check, times and device. */
async function expectWindowShows(page: Page, status: DaemonStatus, app: TrayApp): Promise<void> {
  const view = app.view!;
  expect(await page.locator('#status').getAttribute('data-state')).toBe(status.state);
  expect(await text(page, '#headline')).toBe(view.headline);
  const rows = await page.locator('#checks > li').evaluateAll((items) => items.map((item) => (item as unknown as { dataset: { check: string } }).dataset.check));
  expect(rows.toSorted()).toEqual(status.verdicts.map((verdict) => verdict.id).toSorted());
  for (const verdict of status.verdicts) {
    const row = page.locator(`#checks > li[data-check="${verdict.id}"]`);
    expect(await row.locator('.tag-status').textContent()).toBe(STATUS_TEXT[verdict.status]);
    expect(await row.locator('.check-reason').textContent()).toBe(verdict.reason);
    if (verdict.status === 'pass') expect(await row.locator('.check-fix').count()).toBe(0);
    else expect(await row.locator('.check-fix').textContent()).toBe(`How to fix: ${verdict.remediation ?? ''}`);
  }
  expect(await page.locator('#last-check time').getAttribute('datetime')).toBe(status.lastCheckAt);
  expect(await page.locator('#last-delivery time').getAttribute('datetime')).toBe(status.lastDeliveryAt);
  expect(await text(page, '#device-id')).toBe(status.deviceId);
  expect(await page.locator('#tiers .chip').allTextContents()).toEqual(status.tiers);
}

async function clickCheckNow(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Check now' }).click();
}

async function appraisalCount(deviceId: string): Promise<number> {
  return (await service.store.listAppraisals(deviceId, 1000)).length;
}

beforeAll(async () => {
  serviceDir = await mkdtemp(join(tmpdir(), 'posture-tray-core-svc-'));
  await writeFile(join(serviceDir, 'policy.yaml'), POLICY);
  service = await startService(parseServeConfig({ dataDir: serviceDir, port: '0', policy: join(serviceDir, 'policy.yaml'), logLevel: 'silent' }));
  serviceUrl = service.publicUrl;
  preloadScript = preloadWithElectronStandIn(await readFile(PRELOAD, 'utf8'));
  browser = await launchChromium();
  await mkdir(ARTIFACTS, { recursive: true });
}, 600_000);

afterEach(async () => {
  for (const tray of running.splice(0)) {
    expect(tray.opened.problems()).toEqual([]);
    expect(tray.opened.foreignRequests).toEqual([]);
    await tray.opened.close();
    await tray.daemon.stop();
    await rm(tray.stateDir, { recursive: true, force: true });
  }
});

afterAll(async () => {
  await browser?.close();
  if (!serviceClosed) await service?.close();
  if (serviceDir) await rm(serviceDir, { recursive: true, force: true });
});

describe.runIf(currentPlatform() === 'linux')('the tray window on this machine (real collectors, real agent core)', () => {
  it('shows what this machine reports as the service appraised it, and "Check now" runs a real check', async () => {
    const tray = await startTray(createRealHost({ platform: 'linux' }));
    const first = await until('the first delivery', () => (tray.daemon.status().lastDeliveryAt ? tray.daemon.status() : null));
    await until('the window to show it', async () => (await tray.page.locator('#last-delivery time').getAttribute('datetime').catch(() => null)) === first.lastDeliveryAt);
    expect(first).toMatchObject({ enrolled: true, deviceId: tray.deviceId, policy: 'tray-e2e@4' });
    expect(first.verdicts.map((verdict) => verdict.id)).toEqual(['disk-encryption', 'antivirus', 'firewall']);
    await expectWindowShows(tray.page, first, tray.app);
    await tray.page.screenshot({ path: join(ARTIFACTS, `real-core-this-machine-${first.state}.png`), animations: 'disabled', fullPage: true });

    const appraisedBefore = await service.store.latestAppraisal(tray.deviceId);
    await clickCheckNow(tray.page);
    const after = await until('the check to finish', () => {
      const status = tray.daemon.status();
      return status.lastDeliveryAt !== first.lastDeliveryAt && !status.checking ? status : null;
    });
    await until('the window to show the new check', async () => (await tray.page.locator('#last-check time').getAttribute('datetime')) === after.lastCheckAt);
    expect(after.lastCheckAt! > first.lastCheckAt!).toBe(true);
    // Nothing changed, so the history keeps its rows; the device's latest appraisal is the new one.
    const appraisedAfter = await service.store.latestAppraisal(tray.deviceId);
    expect(appraisedAfter!.createdAt.getTime()).toBeGreaterThan(appraisedBefore!.createdAt.getTime());
    await expectWindowShows(tray.page, after, tray.app);
    expect(await tray.page.locator('#check-now').getAttribute('aria-disabled')).toBe('false');
  });
});

/** A laptop whose firewall is ufw alone (no nft), so turning ufw off is a clear failure. */
function ufwLaptop(): LinuxScript {
  const script = healthyLinux(new Date());
  Reflect.deleteProperty(script.links, LINUX_COMMANDS.nft);
  return script;
}

describe('the tray window with the agent core checking a host the test changes', () => {
  it('turns from compliant to warning (with the grace deadline) and back when "Check now" sees the change; the icon and notifications follow', async () => {
    const script = ufwLaptop();
    const tray = await startTray(createFakeHost(script));
    const compliant = await until('a compliant delivery', () => settledIn(tray, 'compliant'));
    await until('the window to show it', async () => (await tray.page.locator('#status').getAttribute('data-state')) === 'compliant');
    await expectWindowShows(tray.page, compliant, tray.app);
    expect(tray.surface.trays[0]?.image?.path).toBe(join(ROOT, 'assets/tray/compliant.png'));
    expect(tray.surface.notifications).toEqual([]);
    await tray.page.screenshot({ path: join(ARTIFACTS, 'real-core-compliant.png'), animations: 'disabled' });

    // The employee turns the firewall off and asks for a check.
    script.files['/etc/ufw/ufw.conf'] = 'ENABLED=no\nLOGLEVEL=low\n';
    const appraisals = await appraisalCount(tray.deviceId);
    await clickCheckNow(tray.page);
    const warning = await until('the warning', () => settledIn(tray, 'warning'));
    await until('the window to show it', async () => (await tray.page.locator('#status').getAttribute('data-state')) === 'warning');
    expect(await appraisalCount(tray.deviceId)).toBe(appraisals + 1);
    expect((await service.store.latestAppraisal(tray.deviceId))?.status).toBe('warning');
    await expectWindowShows(tray.page, warning, tray.app);
    const firewall = warning.verdicts.find((verdict) => verdict.id === 'firewall')!;
    expect(firewall).toMatchObject({ status: 'fail', blocking: false });
    expect(Date.parse(firewall.graceDeadline!) - Date.parse(firewall.failingSince!)).toBe(48 * 3600_000);
    const row = tray.page.locator('#checks > li[data-check="firewall"]');
    expect(await row.locator('.check-deadline time').getAttribute('datetime')).toBe(firewall.graceDeadline);
    expect(await tray.page.locator('#blocked').isVisible()).toBe(false);
    expect(tray.surface.trays[0]?.image?.path).toBe(join(ROOT, 'assets/tray/warning.png'));
    expect(tray.surface.notifications.map((note) => note.title)).toEqual(['Check failed: The firewall is on']);
    expect(tray.surface.notifications[0]?.body).toContain(`Fix it before ${firewall.graceDeadline} to keep access.`);
    await tray.page.screenshot({ path: join(ARTIFACTS, 'real-core-warning.png'), animations: 'disabled', fullPage: true });

    // Fixed: the next check clears it, and the employee hears so once.
    script.files['/etc/ufw/ufw.conf'] = 'ENABLED=yes\nLOGLEVEL=low\n';
    await clickCheckNow(tray.page);
    const fixed = await until('compliance again', () => settledIn(tray, 'compliant'));
    await until('the window to show it', async () => (await tray.page.locator('#status').getAttribute('data-state')) === 'compliant');
    await expectWindowShows(tray.page, fixed, tray.app);
    expect(await tray.page.locator('#checks .check-fix').count()).toBe(0);
    expect(tray.surface.trays[0]?.image?.path).toBe(join(ROOT, 'assets/tray/compliant.png'));
    expect(tray.surface.notifications.map((note) => note.title)).toEqual(['Check failed: The firewall is on', 'Fixed: The firewall is on']);
    expect(tray.delivered.every((channel) => channel === IPC_CHANNELS.viewChanged)).toBe(true);
  });

  it('keeps access while the Result is valid when the service is down, says so, and shows "cannot reach" once it has expired', async () => {
    let skewMs = 0;
    const tray = await startTray(createFakeHost(ufwLaptop()), () => new Date(Date.now() + skewMs));
    const delivered = await until('a delivery', () => (tray.daemon.status().lastDeliveryAt ? tray.daemon.status() : null));
    await until('the window to show it', async () => (await tray.page.locator('#status').getAttribute('data-state')) === 'compliant');
    await service.close();
    serviceClosed = true;

    await clickCheckNow(tray.page);
    const unreachable = await until('the failed delivery', () => (tray.daemon.status().lastError ? tray.daemon.status() : null));
    expect(unreachable).toMatchObject({ state: 'compliant', lastDeliveryAt: delivered.lastDeliveryAt, lastError: { code: 'ERR_SERVICE_UNREACHABLE', retryable: true } });
    await until('the window to show the problem', () => tray.page.locator('#problem').isVisible());
    expect(await tray.page.locator('#status').getAttribute('data-state')).toBe('compliant');
    expect(await text(tray.page, '#problem-code')).toBe('Code for IT: ERR_SERVICE_UNREACHABLE');
    expect(await text(tray.page, '#problem-message')).toBe(unreachable.lastError!.message);
    expect(await tray.page.locator('#last-check time').getAttribute('datetime')).toBe(unreachable.lastCheckAt);
    expect(await tray.page.locator('#last-delivery time').getAttribute('datetime')).toBe(delivered.lastDeliveryAt);

    // The Result runs out while the service is still down: access is no longer vouched for.
    skewMs = Date.parse(delivered.resultExpiresAt!) - Date.now() + 60_000;
    await tray.page.clock.setFixedTime(Date.now() + skewMs);
    await clickCheckNow(tray.page);
    const offline = await until('the check to end', () => {
      const status = tray.daemon.status();
      return !status.checking && status.lastCheckAt !== unreachable.lastCheckAt ? status : null;
    });
    expect(offline.state).toBe('offline');
    await until('the window to show it', async () => (await tray.page.locator('#last-check time').getAttribute('datetime')) === offline.lastCheckAt);
    expect(await tray.page.locator('#status').getAttribute('data-state')).toBe('offline');
    expect(await text(tray.page, '#headline')).toBe(tray.app.view!.headline);
    expect(await text(tray.page, '#problem-code')).toBe('Code for IT: ERR_SERVICE_UNREACHABLE');
    expect(offline.tiers).toEqual([]);
    expect(await text(tray.page, '#tiers')).toBe('None');
    expect(tray.surface.trays[0]?.image?.path).toBe(join(ROOT, 'assets/tray/offline.png'));
    expect(tray.surface.trays[0]?.tooltip).toBe('Posture Agent: cannot reach the posture service');
    await tray.page.screenshot({ path: join(ARTIFACTS, 'real-core-offline.png'), animations: 'disabled', fullPage: true });
  });
});
