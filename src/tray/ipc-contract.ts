/**
 * The one IPC contract between the tray's main process, its preload script and its window
 * (after electron/fiddle). The preload exposes exactly `PostureBridge` as `window.posture`; main
 * answers exactly these channels and checks the sender of every message.
 */
import type { TrayView } from './tray-view.js';

export const IPC_CHANNELS = {
  getView: 'posture:get-view',
  checkNow: 'posture:check-now',
  copyDeviceId: 'posture:copy-device-id',
  setStartAtLogin: 'posture:set-start-at-login',
  viewChanged: 'posture:view-changed',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** What the window may ask of the app: nothing else reaches the page. */
export interface PostureBridge {
  getView(): Promise<TrayView>;
  /** Runs a check now (or joins the running one) and answers with the view after it. */
  checkNow(): Promise<TrayView>;
  copyDeviceId(): Promise<boolean>;
  setStartAtLogin(enabled: boolean): Promise<TrayView>;
  /** Called with every new view; returns a function that stops the calls. */
  onViewChanged(listener: (view: TrayView) => void): () => void;
}

export type { TrayView } from './tray-view.js';
