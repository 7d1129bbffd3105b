// PLACEHOLDER: replaced by the win32 collectors work (issue 2).
import type { CollectContext, Host } from '../host.js';
import { UNKNOWN_DEVICE, unknownOs, type OsSignal } from './schema.js';

export function collectOsWin32(host: Host, ctx: CollectContext): Promise<OsSignal> {
  ctx.error('ERR_UNSUPPORTED', 'not written yet');
  return Promise.resolve({ os: unknownOs(host.platform), device: UNKNOWN_DEVICE });
}
