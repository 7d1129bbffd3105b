/**
 * macOS version and inventory. The version comes from files, without a process: the OS cryptex's
 * SystemVersion.plist first (macOS 13+, the only copy that carries a Rapid Security Response), then
 * /System/Library/CoreServices/SystemVersion.plist; that is the order CoreFoundation's
 * _CFCopySupplementalVersionDictionary, and so `sw_vers`, reads them. `sw_vers` runs only when
 * neither file gives a version (it runs with a clean environment, so it also corrects the 10.16
 * compatibility value a SYSTEM_VERSION_COMPAT environment can make the files show).
 */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { readOptionalFile, toAgentError } from '../host-errors.js';
import type { CollectContext, Host, Inventory } from '../host.js';
import { commandText } from '../macos/command-text.js';
import type { MacVersion } from '../macos/mac-version.js';
import { readFirst, type Source } from '../macos/read-first.js';
import { parseSwVers } from './parse-sw-vers.js';
import { parseSystemVersionPlist } from './parse-system-version-plist.js';
import { UNKNOWN_DEVICE, unknownOs, type OsSignal } from './schema.js';

export const CRYPTEX_SYSTEM_VERSION_PLIST = '/System/Cryptexes/OS/System/Library/CoreServices/SystemVersion.plist';
export const SYSTEM_VERSION_PLIST = '/System/Library/CoreServices/SystemVersion.plist';

function plistSource(host: Host, path: string): Source<MacVersion> {
  return {
    what: path,
    read: async () => {
      const text = await readOptionalFile(host, path);
      return text === null ? null : parseSystemVersionPlist(text);
    },
  };
}

function swVersSource(host: Host): Source<MacVersion> {
  return {
    what: DARWIN_COMMANDS.swVers,
    read: async () => parseSwVers(commandText(await host.run(DARWIN_COMMANDS.swVers, []))),
  };
}

async function readInventory(host: Host, ctx: CollectContext): Promise<Inventory | null> {
  if (!host.systemInfo) return null;
  try {
    return await host.systemInfo();
  } catch (error) {
    const agentError = toAgentError(error, 'The hardware inventory (systeminformation)');
    ctx.error(agentError.code, agentError.message);
    return null;
  }
}

export async function collectOsDarwin(host: Host, ctx: CollectContext): Promise<OsSignal> {
  const [version, inventory] = await Promise.all([
    readFirst(ctx, 'The macOS version', [plistSource(host, CRYPTEX_SYSTEM_VERSION_PLIST), plistSource(host, SYSTEM_VERSION_PLIST), swVersSource(host)]),
    readInventory(host, ctx),
  ]);
  return {
    os: {
      ...unknownOs('darwin'),
      id: 'macos',
      name: version?.name ?? null,
      version: version?.version ?? null,
      build: version?.build ?? null,
      displayVersion: version?.versionExtra ?? null,
      kernel: inventory?.kernel ?? null,
      arch: inventory?.arch ?? null,
    },
    device: inventory
      ? { hostname: inventory.hostname, serial: inventory.serial, model: inventory.model, manufacturer: inventory.manufacturer }
      : UNKNOWN_DEVICE,
  };
}
