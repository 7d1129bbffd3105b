/** The only way the window reaches the app: `window.posture`, the PostureBridge of src/tray/ipc-contract.ts. */
import type { PostureBridge } from '../../src/tray/ipc-contract.js';

declare global {
  interface Window {
    readonly posture?: PostureBridge;
  }
}

const METHODS = ['getView', 'checkNow', 'copyDeviceId', 'setStartAtLogin', 'onViewChanged'] as const;

/** The bridge the preload exposed, or null when the page runs without one (opened outside the app). */
export function findBridge(scope: Window): PostureBridge | null {
  const candidate: unknown = scope.posture;
  if (typeof candidate !== 'object' || candidate === null) return null;
  const record = candidate as Record<string, unknown>;
  return METHODS.every((name) => typeof record[name] === 'function') ? (candidate as PostureBridge) : null;
}

/** A readable message from whatever a bridge call rejected with (Electron wraps main's errors). */
export function messageOf(error: unknown): string {
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  // ipcRenderer.invoke prefixes "Error invoking remote method 'channel': Error: ".
  const message = raw.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '').trim();
  return message === '' ? 'The app did not say why.' : message;
}
