// PLACEHOLDER: replaced by the win32 collectors work (issue 2).
import type { CollectContext, Host } from '../host.js';
import { UNKNOWN_ANTIVIRUS, type Antivirus } from './schema.js';

export function collectAntivirusWin32(host: Host, ctx: CollectContext): Promise<Antivirus> {
  ctx.error('ERR_UNSUPPORTED', 'not written yet');
  return Promise.resolve(UNKNOWN_ANTIVIRUS);
}
