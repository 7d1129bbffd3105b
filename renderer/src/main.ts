/** The tray window's script: finds the page's elements and the bridge, and starts the app. */
import { startApp } from './app.js';
import { findBridge } from './bridge.js';
import { createTimeFormat } from './format-time.js';
import { findUi } from './ui.js';

const app = startApp(findUi(), findBridge(window), { format: createTimeFormat() });
window.addEventListener('pagehide', () => app.stop(), { once: true });
