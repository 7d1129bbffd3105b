/** Programs the agent may run on Windows, by absolute path. Spawns nothing; collectors import it. */
const SYSTEM32 = 'C:\\Windows\\System32';

export const WIN32_COMMANDS = {
  powershell: `${SYSTEM32}\\WindowsPowerShell\\v1.0\\powershell.exe`,
  reg: `${SYSTEM32}\\reg.exe`,
  netsh: `${SYSTEM32}\\netsh.exe`,
  manageBde: `${SYSTEM32}\\manage-bde.exe`,
} as const;

export const WIN32_ALTERNATIVES: Readonly<Record<string, readonly string[]>> = {};
