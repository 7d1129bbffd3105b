/**
 * The tray menu as a pure function of the view: a status line, the checks that are not passing,
 * and the actions. Electron's Menu is built from it in src/main; tests look at it directly.
 */
import type { TrayView } from './tray-view.js';

export type MenuAction = 'check-now' | 'open' | 'copy-device-id' | 'toggle-start-at-login' | 'quit';

export type MenuItemSpec =
  | { kind: 'label'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; label: string; action: MenuAction; enabled: boolean }
  | { kind: 'checkbox'; label: string; action: MenuAction; checked: boolean };

const STATUS_LINE: Readonly<Record<TrayView['state'], string>> = {
  compliant: 'Compliant',
  warning: 'Needs attention soon',
  noncompliant: 'Access blocked',
  unknown: 'State unknown',
  offline: 'Cannot reach the posture service',
};

export function buildTrayMenu(view: TrayView): MenuItemSpec[] {
  const failing = view.checks.filter((check) => check.status !== 'pass');
  const items: MenuItemSpec[] = [{ kind: 'label', label: view.checking ? 'Checking…' : STATUS_LINE[view.state] }];
  for (const check of failing) {
    const mark = check.status === 'unknown' ? '?' : check.blocking ? '✗' : '!';
    items.push({ kind: 'label', label: `${mark} ${check.title}` });
  }
  items.push(
    { kind: 'separator' },
    { kind: 'action', label: view.checking ? 'Checking…' : 'Check now', action: 'check-now', enabled: !view.checking },
    { kind: 'action', label: 'Open Posture Agent', action: 'open', enabled: true },
    { kind: 'action', label: 'Copy device ID', action: 'copy-device-id', enabled: view.deviceId !== null },
    { kind: 'separator' },
    { kind: 'checkbox', label: 'Start at login', action: 'toggle-start-at-login', checked: view.startAtLogin },
    { kind: 'action', label: 'Quit', action: 'quit', enabled: true },
  );
  return items;
}
