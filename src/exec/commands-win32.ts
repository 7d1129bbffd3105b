/** Programs the agent may run on Windows, by absolute path. Spawns nothing; collectors import it. */
const SYSTEM32 = 'C:\\Windows\\System32';
/**
 * What a 32-bit process must use to reach the 64-bit System32 (File System Redirector,
 * learn.microsoft.com/windows/win32/winprog64/file-system-redirector): manage-bde and the BitLocker
 * cmdlets exist only as 64-bit programs.
 */
const SYSNATIVE = 'C:\\Windows\\Sysnative';

export const WIN32_COMMANDS = {
  powershell: `${SYSTEM32}\\WindowsPowerShell\\v1.0\\powershell.exe`,
  reg: `${SYSTEM32}\\reg.exe`,
  netsh: `${SYSTEM32}\\netsh.exe`,
  manageBde: `${SYSTEM32}\\manage-bde.exe`,
  /** `getdeviceinformation`: the TPM as a standard user sees it (Windows 10 1703+). */
  tpmtool: `${SYSTEM32}\\tpmtool.exe`,
} as const;

function sysnative(path: string): string {
  return SYSNATIVE + path.slice(SYSTEM32.length);
}

export const WIN32_ALTERNATIVES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.values(WIN32_COMMANDS).map((path) => [path, [sysnative(path)]]),
);
