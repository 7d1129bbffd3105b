/**
 * The tray app's main process, thin: one instance; a tray icon, tooltip and menu per state; a
 * small window near the icon (a normal window where the desktop has no tray); notifications once
 * per change; start at login. The agent itself is a backend: an installed daemon or the core
 * running in-process. Every IPC message is checked to come from our own window.
 */
import { pathToFileURL } from 'node:url';
import type { AgentBackend } from '../tray/agent-backends.js';
import { IPC_CHANNELS } from '../tray/ipc-contract.js';
import { notificationsFor } from '../tray/notifications.js';
import { trayIconFor } from '../tray/tray-icon.js';
import { buildTrayMenu, type MenuAction, type MenuItemSpec } from '../tray/tray-menu.js';
import { COLLECTED } from '../tray/collected.js';
import { buildTrayView, type TrayView } from '../tray/tray-view.js';
import type { DaemonStatus } from '../api/local-api-types.js';
import type { ElectronSurface, IpcEventLike, MenuItemOptions, TrayLike, WindowLike } from './electron-surface.js';
import type { LoginItem } from './login-item.js';
import { desktopHasTray, positionNearTray } from './window-position.js';

export const WINDOW_SIZE = { width: 380, height: 560 };

export interface TrayAppOptions {
  surface: ElectronSurface;
  backend: AgentBackend;
  loginItem: LoginItem;
  /** Started with --hidden (at login): no window until the icon is clicked. */
  hidden: boolean;
  formatDate?: (iso: string) => string;
}

function defaultFormatDate(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export class TrayApp {
  readonly #options: TrayAppOptions;
  readonly #surface: ElectronSurface;
  #tray: TrayLike | null = null;
  #window: WindowLike | null = null;
  #view: TrayView | null = null;
  #startAtLogin = false;
  #rendererUrl: string;

  constructor(options: TrayAppOptions) {
    this.#options = options;
    this.#surface = options.surface;
    this.#rendererUrl = pathToFileURL(options.surface.paths.renderer).href;
  }

  get view(): TrayView | null {
    return this.#view;
  }

  get window(): WindowLike | null {
    return this.#window;
  }

  /** False when another instance runs (it is asked to show its window instead). */
  async start(): Promise<boolean> {
    const { app } = this.#surface;
    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return false;
    }
    app.on('second-instance', () => this.showWindow());
    // A tray app lives in the tray: closing the window does not quit it.
    app.on('window-all-closed', () => undefined);
    app.on('before-quit', () => void this.#options.backend.stop());
    if (this.#surface.platform === 'darwin') app.hideDock();
    this.#surface.denyAllPermissions();
    this.#registerIpc();

    this.#startAtLogin = await this.#options.loginItem.isEnabled().catch(() => false);
    this.#options.backend.subscribe((status) => this.#update(status));
    const status = await this.#options.backend.status();
    this.#update(status);

    if (desktopHasTray(this.#surface.platform, this.#surface.env)) {
      this.#tray = this.#surface.createTray(this.#surface.createImage(this.#iconPath(), this.#surface.platform === 'darwin'));
      this.#tray.on('click', () => this.toggleWindow());
      this.#refreshTray();
      if (!this.#options.hidden) this.showWindow();
    } else {
      this.showWindow();
    }
    return true;
  }

  #iconPath(): string {
    const icon = trayIconFor(this.#view!, this.#surface.platform);
    return `${this.#surface.paths.assets}/${icon.file}`;
  }

  #update(status: DaemonStatus): void {
    const next = buildTrayView(status, { platform: this.#surface.platform, startAtLogin: this.#startAtLogin, collected: COLLECTED });
    const previous = this.#view;
    this.#view = next;
    for (const note of notificationsFor(previous, next, this.#options.formatDate ?? defaultFormatDate)) {
      this.#surface.showNotification(note.title, note.body, () => this.showWindow());
    }
    this.#refreshTray();
    if (this.#window && !this.#window.isDestroyed()) this.#window.webContents.send(IPC_CHANNELS.viewChanged, next);
  }

  #refreshTray(): void {
    if (!this.#tray || !this.#view) return;
    const icon = trayIconFor(this.#view, this.#surface.platform);
    this.#tray.setImage(this.#surface.createImage(`${this.#surface.paths.assets}/${icon.file}`, icon.template));
    this.#tray.setToolTip(icon.tooltip);
    this.#tray.setContextMenu(this.#surface.buildMenu(buildTrayMenu(this.#view).map((item) => this.#menuItem(item))));
  }

  #menuItem(item: MenuItemSpec): MenuItemOptions {
    switch (item.kind) {
      case 'label':
        return { label: item.label, enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => void this.perform(item.action) };
      case 'checkbox':
        return { label: item.label, type: 'checkbox', checked: item.checked, click: () => void this.perform(item.action) };
    }
  }

  /** What a menu item does (also reachable from tests). */
  async perform(action: MenuAction): Promise<void> {
    switch (action) {
      case 'check-now':
        await this.checkNow().catch(() => undefined);
        return;
      case 'open':
        this.showWindow();
        return;
      case 'copy-device-id':
        await this.copyDeviceId();
        return;
      case 'toggle-start-at-login':
        await this.setStartAtLogin(!this.#startAtLogin);
        return;
      case 'quit':
        this.#surface.app.quit();
        return;
    }
  }

  async checkNow(): Promise<TrayView> {
    const status = await this.#options.backend.checkNow();
    this.#update(status);
    return this.#view!;
  }

  async copyDeviceId(): Promise<boolean> {
    const id = this.#view?.deviceId;
    if (!id) return false;
    await this.#surface.writeClipboard(id);
    return true;
  }

  async setStartAtLogin(enabled: boolean): Promise<TrayView> {
    await this.#options.loginItem.setEnabled(enabled);
    this.#startAtLogin = await this.#options.loginItem.isEnabled();
    this.#update(await this.#options.backend.status());
    return this.#view!;
  }

  #createWindow(): WindowLike {
    const hasTray = this.#tray !== null;
    const window = this.#surface.createWindow({
      ...WINDOW_SIZE,
      show: false,
      frame: !hasTray,
      resizable: true,
      skipTaskbar: hasTray,
      title: 'Posture Agent',
      backgroundColor: '#00000000',
      webPreferences: {
        preload: this.#surface.paths.preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        spellcheck: false,
        navigateOnDragDrop: false,
        webviewTag: false,
      },
    });
    const { webContents } = window;
    webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview'] as const) webContents.on(event, (navigation) => navigation.preventDefault());
    if (hasTray) window.on('blur', () => window.hide());
    window.on('closed', () => {
      this.#window = null;
    });
    void window.loadFile(this.#surface.paths.renderer);
    return window;
  }

  showWindow(): void {
    this.#window ??= this.#createWindow();
    if (this.#tray) {
      const [width = WINDOW_SIZE.width, height = WINDOW_SIZE.height] = this.#window.getSize();
      const trayBounds = this.#tray.getBounds();
      const position = positionNearTray(trayBounds, { width, height }, this.#surface.workAreaNear({ x: trayBounds.x, y: trayBounds.y }));
      this.#window.setPosition(position.x, position.y);
    }
    this.#window.show();
    this.#window.focus();
  }

  toggleWindow(): void {
    if (this.#window?.isVisible()) this.#window.hide();
    else this.showWindow();
  }

  /** Only our own window, showing our own page, may talk to the main process. */
  isTrustedSender(event: IpcEventLike): boolean {
    return this.#window !== null && event.sender.id === this.#window.webContents.id && event.senderFrame?.url === this.#rendererUrl;
  }

  #registerIpc(): void {
    const guarded =
      <T>(handler: (...args: unknown[]) => Promise<T> | T) =>
      (event: IpcEventLike, ...args: unknown[]): Promise<T> => {
        if (!this.isTrustedSender(event)) return Promise.reject(new Error('Refused: this message does not come from the Posture Agent window.'));
        return Promise.resolve().then(() => handler(...args));
      };
    const { ipcMain } = this.#surface;
    ipcMain.handle(IPC_CHANNELS.getView, guarded(() => this.#view));
    ipcMain.handle(IPC_CHANNELS.checkNow, guarded(() => this.checkNow()));
    ipcMain.handle(IPC_CHANNELS.copyDeviceId, guarded(() => this.copyDeviceId()));
    ipcMain.handle(
      IPC_CHANNELS.setStartAtLogin,
      guarded((enabled) => {
        if (typeof enabled !== 'boolean') throw new Error('setStartAtLogin takes true or false.');
        return this.setStartAtLogin(enabled);
      }),
    );
  }
}
