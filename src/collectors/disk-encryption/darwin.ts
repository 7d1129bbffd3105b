/**
 * FileVault on the APFS Data volume behind `/`. `fdesetup status` answers as the logged-in user and
 * says whether FileVault is on and whether a conversion is running, so it is the only process in
 * the usual check. `diskutil apfs list` runs only when fdesetup gives no answer; it is read for the
 * Data volume (the sealed System volume says `Encrypted: No` even with FileVault on).
 */
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { AgentError } from '../../shared/errors.js';
import type { EncryptedVolume } from '../disk-encryption/schema.js';
import type { CollectContext, Host } from '../host.js';
import { commandText } from '../macos/command-text.js';
import { volumeFromApfs, volumeFromFdesetup } from '../macos/filevault-volume.js';
import { readFirst, type Source } from '../macos/read-first.js';
import { findSystemDataVolume, parseDiskutilApfsList } from './parse-diskutil-apfs-list.js';
import { parseFdesetupStatus } from './parse-fdesetup-status.js';
import { summarizeEncryption, UNKNOWN_DISK_ENCRYPTION, type DiskEncryption } from './schema.js';

function fdesetupSource(host: Host): Source<EncryptedVolume> {
  return {
    what: `${DARWIN_COMMANDS.fdesetup} status`,
    read: async () => {
      // fdesetup exits 1 for "FileVault is Off." and 2 while busy: the text decides, not the status.
      const result = await host.run(DARWIN_COMMANDS.fdesetup, ['status']);
      return volumeFromFdesetup(parseFdesetupStatus(commandText(result)), result.exitCode);
    },
  };
}

function diskutilSource(host: Host): Source<EncryptedVolume> {
  return {
    what: `${DARWIN_COMMANDS.diskutil} apfs list`,
    read: async () => {
      const list = parseDiskutilApfsList(commandText(await host.run(DARWIN_COMMANDS.diskutil, ['apfs', 'list'])));
      const volume = findSystemDataVolume(list);
      if (!volume) {
        throw new AgentError('ERR_NOT_FOUND', 'diskutil apfs list shows no Data volume mounted at /System/Volumes/Data and no volume mounted at /.');
      }
      return volumeFromApfs(volume);
    },
  };
}

export async function collectDiskEncryptionDarwin(host: Host, ctx: CollectContext): Promise<DiskEncryption> {
  const volume = await readFirst(ctx, 'FileVault', [fdesetupSource(host), diskutilSource(host)]);
  if (!volume) return UNKNOWN_DISK_ENCRYPTION;
  return summarizeEncryption([volume]);
}
