import { describe, expect, it } from 'vitest';
import { defaultDataDir, defaultStateDir, sharedStatusFile } from '../../../src/shared/app-dirs.js';

describe('default state and data directories', () => {
  it('are per user for users and per system for root / SYSTEM on each OS', () => {
    const linuxUser = { platform: 'linux' as const, env: {}, uid: 1000, home: '/home/ana' };
    expect(defaultStateDir(linuxUser)).toBe('/home/ana/.local/state/posture-agent');
    expect(defaultStateDir({ ...linuxUser, env: { XDG_STATE_HOME: '/xdg/state' } })).toBe('/xdg/state/posture-agent');
    expect(defaultDataDir(linuxUser)).toBe('/home/ana/.local/share/posture-service');
    expect(defaultStateDir({ ...linuxUser, uid: 0 })).toBe('/var/lib/posture-agent');
    expect(defaultDataDir({ ...linuxUser, uid: 0 })).toBe('/var/lib/posture-service');

    const mac = { platform: 'darwin' as const, env: {}, uid: 501, home: '/Users/ana' };
    expect(defaultStateDir(mac)).toBe('/Users/ana/Library/Application Support/PostureAgent');
    expect(defaultStateDir({ ...mac, uid: 0 })).toBe('/Library/Application Support/PostureAgent');

    const windowsUser = { platform: 'win32' as const, env: { LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local', USERPROFILE: 'C:\\Users\\ana' }, uid: undefined, home: 'C:\\Users\\ana' };
    expect(defaultStateDir(windowsUser)).toBe('C:\\Users\\ana\\AppData\\Local\\PostureAgent');
    const system = { ...windowsUser, env: { USERPROFILE: 'C:\\Windows\\System32\\config\\systemprofile', ProgramData: 'C:\\ProgramData' } };
    expect(defaultStateDir(system)).toBe('C:\\ProgramData\\PostureAgent');
    expect(defaultDataDir(system)).toBe('C:\\ProgramData\\PostureService');
  });

  it('puts the system daemon\'s shared status file where only the system writes and every user reads', () => {
    expect(sharedStatusFile('linux', {})).toBe('/run/posture-agent/local-api-shared.json');
    expect(sharedStatusFile('darwin', {})).toBe('/var/run/posture-agent/local-api-shared.json');
    expect(sharedStatusFile('win32', { ProgramData: 'D:\\ProgramData' })).toBe('D:\\ProgramData\\PostureAgent\\shared\\local-api-shared.json');
    // The same file the system daemon's state folder holds on Windows (install-task.ps1 opens only "shared" to Users).
    const system = { platform: 'win32' as const, env: { USERPROFILE: 'C:\\Windows\\System32\\config\\systemprofile', ProgramData: 'C:\\ProgramData' }, uid: undefined, home: 'C:\\' };
    expect(sharedStatusFile('win32', system.env).startsWith(`${defaultStateDir(system)}\\shared\\`)).toBe(true);
  });
});
