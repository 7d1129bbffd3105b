/**
 * The Windows os signal. Sources, in order:
 * 1. `reg.exe query HKLM\...\Windows NT\CurrentVersion`: one fast process, readable by a standard
 *    user, not localised; gives the build, its update revision (UBR) and DisplayVersion.
 * 2. Only when that fails: one PowerShell probe (Win32_OperatingSystem plus the registry values).
 * Inventory (hostname, architecture, kernel, hardware) comes from host.systemInfo() when the host has it.
 */
import { WIN32_COMMANDS } from '../../exec/commands-win32.js';
import { attempt } from '../host-errors.js';
import type { CollectContext, Host, Inventory } from '../host.js';
import { OS_SCRIPT } from '../windows/os-script.js';
import { outputText, runPowerShell } from '../windows/powershell.js';
import { parseOsJson } from './parse-os-json.js';
import { CURRENT_VERSION_KEY, parseRegQuery } from './parse-reg-query.js';
import { UNKNOWN_DEVICE, unknownOs, type OsSignal } from './schema.js';
import type { WindowsVersion } from '../windows/windows-version.js';

async function readRegistry(host: Host): Promise<WindowsVersion> {
  return parseRegQuery(outputText(await host.run(WIN32_COMMANDS.reg, ['query', CURRENT_VERSION_KEY])));
}

async function readCim(host: Host): Promise<WindowsVersion> {
  return parseOsJson(await runPowerShell(host, OS_SCRIPT));
}

export async function collectOsWin32(host: Host, ctx: CollectContext): Promise<OsSignal> {
  const version =
    (await attempt(ctx, `The Windows version in the registry (reg.exe query ${CURRENT_VERSION_KEY})`, () => readRegistry(host))) ??
    (await attempt(ctx, 'The Windows version from Win32_OperatingSystem (PowerShell)', () => readCim(host)));
  const inventory: Inventory | undefined = host.systemInfo
    ? await attempt(ctx, 'The device inventory (hostname, hardware)', () => host.systemInfo!())
    : undefined;
  return {
    os: {
      ...unknownOs(host.platform),
      id: 'windows',
      name: version?.name ?? null,
      version: version?.version ?? null,
      build: version?.build ?? null,
      displayVersion: version?.displayVersion ?? null,
      kernel: inventory?.kernel ?? null,
      arch: inventory?.arch ?? null,
    },
    device: inventory
      ? { hostname: inventory.hostname, serial: inventory.serial, model: inventory.model, manufacturer: inventory.manufacturer }
      : UNKNOWN_DEVICE,
  };
}
