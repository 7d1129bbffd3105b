/**
 * Start at login: the OS's own login items on macOS and Windows (setLoginItemSettings), an XDG
 * autostart entry on Linux (~/.config/autostart/posture-agent.desktop, per the freedesktop
 * Desktop Application Autostart Specification).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemErrorCode } from '../shared/errors.js';
import type { ElectronSurface } from './electron-surface.js';

export const AUTOSTART_FILE = 'posture-agent.desktop';

export interface LoginItem {
  isEnabled(): Promise<boolean>;
  setEnabled(enabled: boolean): Promise<void>;
}

function autostartDir(surface: ElectronSurface): string {
  const configHome = surface.env['XDG_CONFIG_HOME'] || join(surface.app.getPath('home'), '.config');
  return join(configHome, 'autostart');
}

/** A desktop entry's Exec value: quoted per the spec when the path has spaces or reserved characters. */
function execValue(path: string): string {
  return /[\s"'\\$`]/.test(path) ? `"${path.replace(/(["`$\\])/g, '\\$1')}"` : path;
}

export function desktopEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Posture Agent',
    'Comment=Shows whether this device meets the company\'s security requirements',
    `Exec=${execValue(executable)} --hidden`,
    'Icon=posture-agent',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function loginItemFor(surface: ElectronSurface): LoginItem {
  if (surface.platform !== 'linux') {
    return {
      isEnabled: () => Promise.resolve(surface.app.getLoginItemSettings().openAtLogin),
      setEnabled: (enabled) => {
        surface.app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: ['--hidden'] });
        return Promise.resolve();
      },
    };
  }
  const file = join(autostartDir(surface), AUTOSTART_FILE);
  return {
    async isEnabled() {
      try {
        return !/^Hidden=true$/m.test(await readFile(file, 'utf8'));
      } catch (error) {
        if (systemErrorCode(error) === 'ENOENT') return false;
        throw error;
      }
    },
    async setEnabled(enabled) {
      if (!enabled) return rm(file, { force: true });
      await mkdir(autostartDir(surface), { recursive: true });
      await writeFile(file, desktopEntry(surface.app.getPath('exe')), { mode: 0o644 });
    },
  };
}
