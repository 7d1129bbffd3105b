/**
 * Where the tray window opens: next to the tray icon, inside the display's work area (above a
 * bottom taskbar, below a top menu bar, beside a side taskbar). Pure.
 */
import type { Rectangle } from './electron-surface.js';

const MARGIN = 8;

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, high));
}

export function positionNearTray(tray: Rectangle, size: { width: number; height: number }, workArea: Rectangle): { x: number; y: number } {
  const trayCenterX = tray.x + tray.width / 2;
  const trayCenterY = tray.y + tray.height / 2;
  const areaRight = workArea.x + workArea.width;
  const areaBottom = workArea.y + workArea.height;
  const inTopHalf = trayCenterY < workArea.y + workArea.height / 2;
  const besideArea = trayCenterX < workArea.x || trayCenterX > areaRight;

  let x = Math.round(trayCenterX - size.width / 2);
  let y = inTopHalf ? tray.y + tray.height + MARGIN : tray.y - size.height - MARGIN;
  if (besideArea) {
    // A taskbar on the left or right: open beside it, level with the icon.
    x = trayCenterX < workArea.x ? workArea.x + MARGIN : areaRight - size.width - MARGIN;
    y = Math.round(trayCenterY - size.height / 2);
  }
  return {
    x: clamp(x, workArea.x + MARGIN, areaRight - size.width - MARGIN),
    y: clamp(y, workArea.y + MARGIN, areaBottom - size.height - MARGIN),
  };
}

/** Desktops without a tray (GNOME without the AppIndicator extension): the tray opens a normal window instead. */
export function desktopHasTray(platform: string, env: Readonly<Record<string, string | undefined>>): boolean {
  if (platform !== 'linux') return true;
  const desktop = (env['XDG_CURRENT_DESKTOP'] ?? '').toLowerCase();
  return !(desktop.includes('gnome') && !desktop.includes('unity'));
}
