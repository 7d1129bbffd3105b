// PLACEHOLDER: replaced by the win32 collectors work (issue 2).
import type { CollectContext, Host } from '../host.js';
import { UNKNOWN_DISK_ENCRYPTION, type DiskEncryption } from './schema.js';

export function collectDiskEncryptionWin32(host: Host, ctx: CollectContext): Promise<DiskEncryption> {
  ctx.error('ERR_UNSUPPORTED', 'not written yet');
  return Promise.resolve(UNKNOWN_DISK_ENCRYPTION);
}
