// The tray window's preload (sandboxed; bundled into one CommonJS file by scripts/build-ui.mjs).
// It exposes exactly the PostureBridge of the IPC contract as `window.posture`; no ipcRenderer,
// no Node, nothing else reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, type PostureBridge, type TrayView } from '../tray/ipc-contract.js';

const bridge: PostureBridge = {
  getView: () => ipcRenderer.invoke(IPC_CHANNELS.getView) as Promise<TrayView>,
  checkNow: () => ipcRenderer.invoke(IPC_CHANNELS.checkNow) as Promise<TrayView>,
  copyDeviceId: () => ipcRenderer.invoke(IPC_CHANNELS.copyDeviceId) as Promise<boolean>,
  setStartAtLogin: (enabled: boolean) => ipcRenderer.invoke(IPC_CHANNELS.setStartAtLogin, enabled) as Promise<TrayView>,
  onViewChanged(listener) {
    const forward = (_event: IpcRendererEvent, view: TrayView) => listener(view);
    ipcRenderer.on(IPC_CHANNELS.viewChanged, forward);
    return () => void ipcRenderer.removeListener(IPC_CHANNELS.viewChanged, forward);
  },
};

contextBridge.exposeInMainWorld('posture', bridge);
