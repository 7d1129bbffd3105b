/** Every signal, what it holds, so the employee can see what the agent collects (the tray's "What is collected"). */
import { SIGNALS } from '../collectors/signals.js';
import type { CollectedItem } from './tray-view.js';

export const COLLECTED: readonly CollectedItem[] = [
  ...SIGNALS.map((signal) => ({ signal: signal.title, what: signal.collected })),
  { signal: 'Device', what: 'A device id derived from the machine id (not the machine id itself).' },
  { signal: 'Not collected', what: 'Files, browsing, applications you use, location, or anything about your accounts.' },
];
