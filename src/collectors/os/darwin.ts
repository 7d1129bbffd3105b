// PLACEHOLDER: replaced by the darwin collectors work (issue 2).
import type { CollectContext, Host } from '../host.js';
import { UNKNOWN_DEVICE, unknownOs, type OsSignal } from './schema.js';

export function collectOsDarwin(host: Host, ctx: CollectContext): Promise<OsSignal> {
  ctx.error('ERR_UNSUPPORTED', 'not written yet');
  return Promise.resolve({ os: unknownOs(host.platform), device: UNKNOWN_DEVICE });
}
