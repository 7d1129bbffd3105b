// PLACEHOLDER: replaced by the linux collectors work (issue 2).
import type { CollectContext, Host } from '../host.js';
import { UNKNOWN_FIREWALL, type Firewall } from './schema.js';

export function collectFirewallLinux(host: Host, ctx: CollectContext): Promise<Firewall> {
  ctx.error('ERR_UNSUPPORTED', 'not written yet');
  return Promise.resolve(UNKNOWN_FIREWALL);
}
