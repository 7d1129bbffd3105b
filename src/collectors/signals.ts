/**
 * Every signal, in report order: the one list that collectPosture, the report schema, the tray's
 * "What is collected", the CLI and the docs follow. Adding a signal: docs/collectors.md.
 */
import { antivirusSignal } from './antivirus/signal.js';
import { diskEncryptionSignal } from './disk-encryption/signal.js';
import { firewallSignal } from './firewall/signal.js';
import { osSignal } from './os/signal.js';
import { osUpdatesSignal } from './os-updates/signal.js';
import { screenLockSignal } from './screen-lock/signal.js';
import { secureBootSignal } from './secure-boot/signal.js';
import { tpmSignal } from './tpm/signal.js';

export const SIGNALS = [
  osSignal,
  diskEncryptionSignal,
  antivirusSignal,
  firewallSignal,
  screenLockSignal,
  secureBootSignal,
  tpmSignal,
  osUpdatesSignal,
] as const;

export type Signal = (typeof SIGNALS)[number];
export type SignalName = Signal['name'];
export const SIGNAL_NAMES: readonly SignalName[] = SIGNALS.map((signal) => signal.name);
