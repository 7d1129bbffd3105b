/**
 * The tray icon and tooltip for a view: one icon per state (coloured on Windows and Linux; a
 * template image on macOS, which the menu bar tints, with the state told by its shape), and a
 * tooltip that says the state in words.
 */
import type { Platform } from '../shared/platform.js';
import type { TrayView } from './tray-view.js';

export type TrayIconState = 'compliant' | 'warning' | 'noncompliant' | 'unknown' | 'offline' | 'checking';

export interface TrayIcon {
  state: TrayIconState;
  /** Relative to the app's assets folder. */
  file: string;
  /** macOS tints template images for light and dark menu bars. */
  template: boolean;
  tooltip: string;
}

const TOOLTIP: Readonly<Record<TrayIconState, string>> = {
  compliant: 'Posture Agent: compliant',
  warning: 'Posture Agent: needs attention',
  noncompliant: 'Posture Agent: access blocked',
  unknown: 'Posture Agent: state unknown',
  offline: 'Posture Agent: cannot reach the posture service',
  checking: 'Posture Agent: checking…',
};

function iconState(view: TrayView): TrayIconState {
  if (view.checking) return 'checking';
  return view.state;
}

export function trayIconFor(view: TrayView, platform: Platform): TrayIcon {
  const state = iconState(view);
  // "checking" reuses the unknown icon: the state is not known until the check ends.
  const drawn = state === 'checking' ? 'unknown' : state;
  const template = platform === 'darwin';
  const failing = view.checks.filter((check) => check.status !== 'pass').length;
  const detail = failing > 0 && state !== 'checking' ? ` (${failing} ${failing === 1 ? 'check' : 'checks'} not passing)` : '';
  return { state, file: `tray/${drawn}${template ? 'Template' : ''}.png`, template, tooltip: `${TOOLTIP[state]}${detail}` };
}
