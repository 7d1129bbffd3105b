import { describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../../src/api/local-api-types.js';
import type { LoginItem } from '../../../src/main/login-item.js';
import { TrayApp } from '../../../src/main/tray-app.js';
import type { AgentBackend } from '../../../src/tray/agent-backends.js';
import { IPC_CHANNELS } from '../../../src/tray/ipc-contract.js';
import type { TrayView } from '../../../src/tray/tray-view.js';
import type { Platform } from '../../../src/shared/platform.js';
import { daemonStatus, FAILING_DISK, GRACE_DISK, verdict } from '../../support/daemon-status.js';
import { createFakeSurface, type FakeSurface } from '../../support/fake-electron.js';

/** A backend the test drives: it publishes the statuses the test sets. */
function scriptedBackend(initial: DaemonStatus) {
  let current = initial;
  const listeners = new Set<(status: DaemonStatus) => void>();
  let checks = 0;
  const backend: AgentBackend & { set(status: DaemonStatus): void; checks(): number } = {
    kind: 'in-process',
    status: () => Promise.resolve(current),
    checkNow: () => ((checks += 1), Promise.resolve(current)),
    subscribe: (listener) => (listeners.add(listener), () => void listeners.delete(listener)),
    stop: () => Promise.resolve(),
    set(status) {
      current = status;
      for (const listener of listeners) listener(status);
    },
    checks: () => checks,
  };
  return backend;
}

function memoryLoginItem(): LoginItem & { enabled: boolean } {
  const item = {
    enabled: false,
    isEnabled: () => Promise.resolve(item.enabled),
    setEnabled: (enabled: boolean) => ((item.enabled = enabled), Promise.resolve()),
  };
  return item;
}

async function startTray(platform: Platform = 'linux', initial = daemonStatus(), env: Record<string, string> = { XDG_CURRENT_DESKTOP: 'KDE' }, hidden = true) {
  const surface = createFakeSurface(platform, env);
  const backend = scriptedBackend(initial);
  const loginItem = memoryLoginItem();
  const app = new TrayApp({ surface, backend, loginItem, hidden, formatDate: (iso) => iso.slice(0, 16) });
  const started = await app.start();
  return { surface, backend, loginItem, app, started };
}

function trustedEvent(surface: FakeSurface) {
  const window = surface.windows[0]!;
  return { sender: { id: window.webContents.id }, senderFrame: { url: 'file:///app/dist/renderer/index.html' } };
}

describe('the tray app', () => {
  it('shows one icon and tooltip per state, as a template image on macOS', async () => {
    const cases: [DaemonStatus, string, string][] = [
      [daemonStatus(), 'tray/compliant.png', 'Posture Agent: compliant'],
      [daemonStatus({ state: 'warning', verdicts: [GRACE_DISK] }), 'tray/warning.png', 'Posture Agent: needs attention (1 check not passing)'],
      [daemonStatus({ state: 'noncompliant', verdicts: [FAILING_DISK, verdict({ id: 'fw', status: 'fail' })] }), 'tray/noncompliant.png', 'Posture Agent: access blocked (2 checks not passing)'],
      [daemonStatus({ state: 'unknown', verdicts: [] }), 'tray/unknown.png', 'Posture Agent: state unknown'],
      [daemonStatus({ state: 'offline' }), 'tray/offline.png', 'Posture Agent: cannot reach the posture service'],
      [daemonStatus({ checking: true }), 'tray/unknown.png', 'Posture Agent: checking…'],
    ];
    const { surface, backend } = await startTray();
    for (const [status, file, tooltip] of cases) {
      backend.set(status);
      expect(surface.trays[0]!.image).toEqual({ path: `/app/assets/${file}`, template: false });
      expect(surface.trays[0]!.tooltip).toBe(tooltip);
    }
    const mac = await startTray('darwin', daemonStatus({ state: 'noncompliant', verdicts: [FAILING_DISK] }));
    expect(mac.surface.trays[0]!.image).toEqual({ path: '/app/assets/tray/noncompliantTemplate.png', template: true });
    expect(mac.surface.dockHidden).toBe(true);
  });

  it('builds the menu from the state: status line, failing checks, and the actions', async () => {
    const { surface, backend, app, loginItem } = await startTray('win32', daemonStatus({ state: 'noncompliant', verdicts: [FAILING_DISK, verdict({ id: 'fw', severity: 'warn', status: 'fail' })] }));
    const labels = surface.trays[0]!.menu.map((item) => item.label ?? `(${item.type})`);
    expect(labels).toEqual(['Access blocked', '✗ The system disk is encrypted', '! The firewall is on', '(separator)', 'Check now', 'Open Posture Agent', 'Copy device ID', '(separator)', 'Start at login', 'Quit']);
    const item = (label: string) => surface.trays[0]!.menu.find((entry) => entry.label === label)!;
    item('Check now').click!();
    await Promise.resolve();
    expect(backend.checks()).toBe(1);
    item('Copy device ID').click!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(surface.clipboard).toEqual(['0531b1ca-8220-4c64-9c16-6992b7cbc8ff']);
    item('Start at login').click!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(loginItem.enabled).toBe(true);
    expect(item('Start at login').checked).toBe(true);
    item('Quit').click!();
    expect(surface.quitCalls).toBe(1);
    backend.set(daemonStatus({ checking: true }));
    expect(surface.trays[0]!.menu.find((entry) => entry.label === 'Checking…' && entry.click)?.enabled).toBe(false);
    expect(app.view?.checking).toBe(true);
  });

  it('notifies once when a check starts failing (with its grace deadline) and once when it recovers', async () => {
    const { surface, backend } = await startTray();
    expect(surface.notifications).toEqual([]);
    const failing = daemonStatus({ state: 'warning', verdicts: [GRACE_DISK, verdict({ id: 'firewall', severity: 'warn' })] });
    backend.set(failing);
    backend.set({ ...failing, lastCheckAt: '2026-11-22T10:05:00.000Z' });
    expect(surface.notifications.map((note) => note.title)).toEqual(['Check failed: The system disk is encrypted']);
    expect(surface.notifications[0]!.body).toContain('Fix it before 2026-11-25T10:00 to keep access.');
    backend.set(daemonStatus({ state: 'noncompliant', verdicts: [FAILING_DISK] }));
    expect(surface.notifications.map((note) => note.title)).toEqual(['Check failed: The system disk is encrypted', 'Access blocked']);
    backend.set(daemonStatus());
    expect(surface.notifications.map((note) => note.title).slice(2)).toEqual(['Fixed: The system disk is encrypted', 'Access restored']);
    surface.notifications[0]!.click();
    expect(surface.windows[0]!.visible).toBe(true);
  });

  it('opens a hardened window near the tray icon, hides it on blur, and denies navigation and new windows', async () => {
    const { surface } = await startTray('win32');
    expect(surface.windows).toHaveLength(0);
    surface.trays[0]!.click();
    const window = surface.windows[0]!;
    expect(window.visible).toBe(true);
    expect(window.loaded).toBe('/app/dist/renderer/index.html');
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: '/app/dist/preload/index.cjs', webviewTag: false });
    // Centred under the icon (x 1812) would overflow the screen: kept inside the work area, below the menu bar.
    expect(window.position).toEqual([1532, 32]);
    expect(window.openHandler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      window.navigationGuards.get(event)!({ preventDefault: () => void (prevented = true) });
      expect(prevented, event).toBe(true);
    }
    expect(surface.permissionsDenied).toBe(true);
    window.blur();
    expect(window.visible).toBe(false);
  });

  it('uses a normal window where the desktop has no tray', async () => {
    const { surface } = await startTray('linux', daemonStatus(), { XDG_CURRENT_DESKTOP: 'GNOME' }, false);
    expect(surface.trays).toHaveLength(0);
    expect(surface.windows[0]!.options).toMatchObject({ frame: true, skipTaskbar: false });
    expect(surface.windows[0]!.visible).toBe(true);
  });

  it('answers IPC only from its own window and page, with views and checks', async () => {
    const { surface, backend } = await startTray();
    surface.trays[0]!.click();
    const trusted = trustedEvent(surface);
    const view = (await surface.handlers.get(IPC_CHANNELS.getView)!(trusted)) as TrayView;
    expect(view).toMatchObject({ state: 'compliant', deviceId: '0531b1ca-8220-4c64-9c16-6992b7cbc8ff', platform: 'linux' });
    await surface.handlers.get(IPC_CHANNELS.checkNow)!(trusted);
    expect(backend.checks()).toBe(1);
    const foreignFrame = { ...trusted, senderFrame: { url: 'https://evil.example/' } };
    const foreignSender = { ...trusted, sender: { id: 9999 } };
    for (const event of [foreignFrame, foreignSender, { ...trusted, senderFrame: null }]) {
      await expect(surface.handlers.get(IPC_CHANNELS.checkNow)!(event)).rejects.toThrow(/does not come from the Posture Agent window/);
    }
    expect(backend.checks()).toBe(1);
    await expect(surface.handlers.get(IPC_CHANNELS.setStartAtLogin)!(trusted, 'yes')).rejects.toThrow(/true or false/);
    backend.set(daemonStatus({ state: 'offline' }));
    expect(surface.windows[0]!.sent.at(-1)).toMatchObject({ channel: IPC_CHANNELS.viewChanged, args: [{ state: 'offline' }] });
  });

  it('runs one instance: a second start quits and the first shows its window', async () => {
    const { surface } = await startTray();
    surface.appEvents.get('second-instance')!();
    expect(surface.windows[0]!.visible).toBe(true);
    const second = createFakeSurface('linux', { XDG_CURRENT_DESKTOP: 'KDE' });
    second.singleInstance = false;
    const app = new TrayApp({ surface: second, backend: scriptedBackend(daemonStatus()), loginItem: memoryLoginItem(), hidden: true });
    expect(await app.start()).toBe(false);
    expect(second.quitCalls).toBe(1);
    expect(second.trays).toHaveLength(0);
  });
});
