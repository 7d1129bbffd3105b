/** A recording stand-in for the Electron APIs the tray uses (the Electron binary cannot run here). */
import type { ElectronSurface, IpcEventLike, MenuItemOptions, Rectangle, TrayLike, WindowLike, WindowOptions } from '../../src/main/electron-surface.js';
import type { Platform } from '../../src/shared/platform.js';

export interface FakeImage {
  path: string;
  template: boolean;
}

export interface FakeTray extends TrayLike {
  image: FakeImage | null;
  tooltip: string;
  menu: MenuItemOptions[];
  click(): void;
}

export interface FakeWindow extends WindowLike {
  options: WindowOptions;
  loaded: string | null;
  visible: boolean;
  position: [number, number] | null;
  sent: { channel: string; args: unknown[] }[];
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null;
  navigationGuards: Map<string, (event: { preventDefault(): void }) => void>;
  blur(): void;
}

export interface FakeSurface extends ElectronSurface {
  trays: FakeTray[];
  windows: FakeWindow[];
  notifications: { title: string; body: string; click: () => void }[];
  clipboard: string[];
  handlers: Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>;
  appEvents: Map<string, () => void>;
  quitCalls: number;
  loginItem: { openAtLogin: boolean };
  singleInstance: boolean;
  permissionsDenied: boolean;
  dockHidden: boolean;
}

let nextId = 1;

function fakeWindow(options: WindowOptions): FakeWindow {
  const listeners = new Map<string, () => void>();
  const guards = new Map<string, (event: { preventDefault(): void }) => void>();
  const window: FakeWindow = {
    options,
    loaded: null,
    visible: false,
    position: null,
    sent: [],
    openHandler: null,
    navigationGuards: guards,
    webContents: {
      id: nextId++,
      send: (channel, ...args) => void window.sent.push({ channel, args }),
      setWindowOpenHandler: (handler) => void (window.openHandler = handler),
      on: (event, listener) => void guards.set(event, listener),
    },
    loadFile: (path) => ((window.loaded = path), Promise.resolve()),
    show: () => void (window.visible = true),
    hide: () => void (window.visible = false),
    focus: () => undefined,
    isVisible: () => window.visible,
    isDestroyed: () => false,
    setPosition: (x, y) => void (window.position = [x, y]),
    getSize: () => [options.width, options.height],
    on: (event, listener) => void listeners.set(event, listener),
    blur: () => listeners.get('blur')?.(),
  };
  return window;
}

export function createFakeSurface(platform: Platform, env: Record<string, string | undefined> = {}, home = '/home/ana'): FakeSurface {
  const surface: FakeSurface = {
    platform,
    env,
    trays: [],
    windows: [],
    notifications: [],
    clipboard: [],
    handlers: new Map(),
    appEvents: new Map(),
    quitCalls: 0,
    loginItem: { openAtLogin: false },
    singleInstance: true,
    permissionsDenied: false,
    dockHidden: false,
    app: {
      requestSingleInstanceLock: () => surface.singleInstance,
      on: (event, listener) => void surface.appEvents.set(event, listener),
      quit: () => void (surface.quitCalls += 1),
      getLoginItemSettings: () => ({ ...surface.loginItem }),
      setLoginItemSettings: (settings) => void (surface.loginItem = { openAtLogin: settings.openAtLogin }),
      getPath: (name) => (name === 'home' ? home : '/opt/Posture Agent/posture-agent-tray'),
      hideDock: () => void (surface.dockHidden = true),
    },
    paths: { preload: '/app/dist/preload/index.cjs', renderer: '/app/dist/renderer/index.html', assets: '/app/assets' },
    createImage: (path, template) => ({ path, template }),
    createTray: (image) => {
      let clicked: () => void = () => undefined;
      const tray: FakeTray = {
        image: image as FakeImage,
        tooltip: '',
        menu: [],
        setImage: (next) => void (tray.image = next as FakeImage),
        setToolTip: (text) => void (tray.tooltip = text),
        setContextMenu: (menu) => void (tray.menu = menu as MenuItemOptions[]),
        on: (_event, listener) => void (clicked = listener),
        getBounds: (): Rectangle => ({ x: 1800, y: 0, width: 24, height: 24 }),
        destroy: () => undefined,
        click: () => clicked(),
      };
      surface.trays.push(tray);
      return tray;
    },
    buildMenu: (items) => items,
    createWindow: (options) => {
      const window = fakeWindow(options);
      surface.windows.push(window);
      return window;
    },
    showNotification: (title, body, click) => void surface.notifications.push({ title, body, click }),
    writeClipboard: (text) => (surface.clipboard.push(text), Promise.resolve()),
    ipcMain: { handle: (channel, handler) => void surface.handlers.set(channel, handler) },
    workAreaNear: () => ({ x: 0, y: 24, width: 1920, height: 1056 }),
    safeStorage: {
      isAsyncEncryptionAvailable: () => Promise.resolve(true),
      encryptStringAsync: (text) => Promise.resolve(Buffer.from(text)),
      decryptStringAsync: (data) => Promise.resolve({ shouldReEncrypt: false, result: data.toString() }),
    },
    denyAllPermissions: () => void (surface.permissionsDenied = true),
  };
  return surface;
}
