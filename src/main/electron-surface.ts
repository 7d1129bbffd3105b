/**
 * The part of Electron the tray uses, as plain interfaces. src/main/index.ts hands in the real
 * modules; tests hand in fakes (the Electron binary cannot run here, design §8). Nothing in this
 * folder imports electron at run time except index.ts.
 */
import type { Platform } from '../shared/platform.js';
import type { SafeStorageLike } from '../attest/safe-storage-key-store.js';

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type NativeImageLike = object;

export interface MenuItemOptions {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

export type MenuLike = object;

export interface TrayLike {
  setImage(image: NativeImageLike): void;
  setToolTip(text: string): void;
  setContextMenu(menu: MenuLike): void;
  on(event: 'click', listener: () => void): void;
  getBounds(): Rectangle;
  destroy(): void;
}

export interface IpcEventLike {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

export interface WebContentsLike {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
}

export interface WindowLike {
  webContents: WebContentsLike;
  loadFile(path: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  isVisible(): boolean;
  isDestroyed(): boolean;
  setPosition(x: number, y: number): void;
  getSize(): number[];
  on(event: 'blur' | 'closed', listener: () => void): void;
}

export interface WindowOptions {
  width: number;
  height: number;
  show: boolean;
  frame: boolean;
  resizable: boolean;
  skipTaskbar: boolean;
  title: string;
  backgroundColor: string;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    experimentalFeatures: false;
    spellcheck: false;
    navigateOnDragDrop: false;
    webviewTag: false;
  };
}

export interface ElectronSurface {
  platform: Platform;
  env: Readonly<Record<string, string | undefined>>;
  app: {
    requestSingleInstanceLock(): boolean;
    on(event: 'second-instance' | 'window-all-closed' | 'before-quit', listener: () => void): void;
    quit(): void;
    getLoginItemSettings(): { openAtLogin: boolean };
    setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
    /** The running executable (the XDG autostart entry starts it). */
    getPath(name: 'exe' | 'home'): string;
    hideDock(): void;
  };
  /** Where the app's files are: dist/ (preload, renderer) and assets/. */
  paths: { preload: string; renderer: string; assets: string };
  createImage(path: string, template: boolean): NativeImageLike;
  createTray(image: NativeImageLike): TrayLike;
  buildMenu(items: MenuItemOptions[]): MenuLike;
  createWindow(options: WindowOptions): WindowLike;
  showNotification(title: string, body: string, onClick: () => void): void;
  writeClipboard(text: string): Promise<void>;
  ipcMain: {
    handle(channel: string, handler: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  };
  /** The work area of the display nearest a point. */
  workAreaNear(point: { x: number; y: number }): Rectangle;
  safeStorage: SafeStorageLike;
  /** Permission requests from the window's session: the tray denies them all. */
  denyAllPermissions(): void;
}
