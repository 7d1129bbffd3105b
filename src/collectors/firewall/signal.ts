import { lazyCollector } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { firewallSchema, UNKNOWN_FIREWALL, type Firewall } from './schema.js';

export const firewallSignal = defineSignal<'firewall', typeof firewallSchema, Firewall>({
  name: 'firewall',
  title: 'Firewall',
  collected: 'Whether the firewall is on, per network profile where the OS has them.',
  schema: firewallSchema,
  optionalInReports: false,
  unknown: () => UNKNOWN_FIREWALL,
  collectors: {
    win32: lazyCollector<Firewall>(import.meta.url, './win32.js', 'collectFirewallWin32'),
    darwin: lazyCollector<Firewall>(import.meta.url, './darwin.js', 'collectFirewallDarwin'),
    linux: lazyCollector<Firewall>(import.meta.url, './linux.js', 'collectFirewallLinux'),
  },
});
