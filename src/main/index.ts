// The tray app's entry point: the only module that loads Electron at run time (design §8). It
// hands the real Electron APIs to TrayApp, or, with --agent-cli, runs the posture-agent command
// line instead (the packaged binary cannot run plain Node scripts: the runAsNode fuse is off).
import { join } from 'node:path';
import { homedir } from 'node:os';
import { app, BrowserWindow, clipboard, ipcMain, Menu, nativeImage, Notification, safeStorage, screen, session, Tray } from 'electron';
import { LocalApiClient } from '../api/local-api-client.js';
import { SafeStorageKeyStore } from '../attest/safe-storage-key-store.js';
import { runAgentCli } from '../cli/agent-program.js';
import { processIo } from '../cli/cli-io.js';
import { readRawMachineId } from '../exec/machine-id.js';
import { createRealHost, currentPlatform } from '../exec/real-host.js';
import { startSessionReporter } from '../agent/session/session-reporter.js';
import { currentUserName, defaultStateDir, sharedStatusFile, type ProcessFacts } from '../shared/app-dirs.js';
import { startInProcessBackend, type AgentBackend } from '../tray/agent-backends.js';
import { chooseBackend } from '../tray/choose-backend.js';
import type { ElectronSurface, MenuItemOptions, WindowOptions } from './electron-surface.js';
import { loginItemFor } from './login-item.js';
import { TrayApp } from './tray-app.js';

const platform = currentPlatform();
const facts: ProcessFacts = { platform, env: process.env, uid: process.getuid?.(), home: homedir() };
const appRoot = join(import.meta.dirname, '..', '..');
/** How often the tray hands the screen lock to the system's daemon (it keeps a hand-over for two check intervals). */
const SESSION_HAND_OVER_MS = 120_000;

async function runCommandLine(args: string[]): Promise<void> {
  const code = await runAgentCli(args, {
    io: processIo(),
    createHost: () => createRealHost({ platform }),
    readRawMachineId,
    facts,
    stopSignal: () =>
      new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      }),
  });
  app.exit(code);
}

function agentBackend(stateDir: string): Promise<AgentBackend> {
  return chooseBackend({
    userDaemon: () => LocalApiClient.fromStateDir(stateDir),
    systemDaemon: () => LocalApiClient.fromSharedFile(sharedStatusFile(platform, process.env)),
    handOverSession: (handOver) =>
      startSessionReporter({ host: createRealHost({ platform }), user: currentUserName() ?? 'unknown', handOver, intervalMs: SESSION_HAND_OVER_MS }),
    inProcess: () =>
      startInProcessBackend({
        stateDir,
        env: process.env,
        host: createRealHost({ platform }),
        keyStore: new SafeStorageKeyStore({ safeStorage, stateDir, platform, allowPlaintext: true }),
        readRawMachineId,
      }),
  });
}

function surface(): ElectronSurface {
  return {
    platform,
    env: process.env,
    app: {
      requestSingleInstanceLock: () => app.requestSingleInstanceLock(),
      on: (event, listener) => void app.on(event as 'second-instance', listener),
      quit: () => app.quit(),
      getLoginItemSettings: () => app.getLoginItemSettings(),
      setLoginItemSettings: (settings) => app.setLoginItemSettings(settings),
      getPath: (name) => app.getPath(name),
      hideDock: () => app.dock?.hide(),
    },
    paths: {
      preload: join(appRoot, 'dist/preload/index.cjs'),
      renderer: join(appRoot, 'dist/renderer/index.html'),
      assets: join(appRoot, 'assets'),
    },
    createImage: (path, template) => {
      const image = nativeImage.createFromPath(path);
      image.setTemplateImage(template);
      return image;
    },
    createTray: (image) => {
      const tray = new Tray(image as Electron.NativeImage);
      return {
        setImage: (next) => tray.setImage(next as Electron.NativeImage),
        setToolTip: (text) => tray.setToolTip(text),
        setContextMenu: (menu) => tray.setContextMenu(menu as Electron.Menu),
        on: (event, listener) => void tray.on(event, listener),
        getBounds: () => tray.getBounds(),
        destroy: () => tray.destroy(),
      };
    },
    buildMenu: (items: MenuItemOptions[]) => Menu.buildFromTemplate(items),
    // The security settings are spelt out here, whatever the caller asks, so a reviewer (and
    // electronegativity) sees them where the window is made.
    createWindow: (options: WindowOptions) =>
      new BrowserWindow({
        ...options,
        webPreferences: {
          preload: options.webPreferences.preload,
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          nodeIntegrationInWorker: false,
          nodeIntegrationInSubFrames: false,
          webSecurity: true,
          allowRunningInsecureContent: false,
          experimentalFeatures: false,
          disableBlinkFeatures: 'Auxclick',
          spellcheck: false,
          navigateOnDragDrop: false,
          webviewTag: false,
          safeDialogs: true,
        },
      }),
    showNotification: (title, body, onClick) => {
      if (!Notification.isSupported()) return;
      const notification = new Notification({ title, body });
      notification.on('click', onClick);
      notification.show();
    },
    writeClipboard: (text) => clipboard.writeText(text),
    ipcMain: { handle: (channel, handler) => ipcMain.handle(channel, (event: Electron.IpcMainInvokeEvent, ...args: unknown[]) => handler(event, ...args)) },
    workAreaNear: (point) => screen.getDisplayNearestPoint(point).workArea,
    safeStorage,
    denyAllPermissions: () => {
      session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
      session.defaultSession.setPermissionCheckHandler(() => false);
    },
  };
}

const cliFlag = process.argv.indexOf('--agent-cli');
if (cliFlag >= 0) {
  await runCommandLine(process.argv.slice(cliFlag + 1));
} else {
  await app.whenReady();
  const electronSurface = surface();
  const tray = new TrayApp({
    surface: electronSurface,
    backend: await agentBackend(defaultStateDir(facts)),
    loginItem: loginItemFor(electronSurface),
    hidden: process.argv.includes('--hidden'),
  });
  await tray.start();
}
