import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { UNKNOWN_FIREWALL, type Firewall } from './schema.js';

export const firewallSignal = defineSignal<'firewall', Firewall>({
  name: 'firewall',
  title: 'Firewall',
  collected: 'Whether the firewall is on, per network profile where the OS has them.',
  optionalInReports: false,
  unknown: () => UNKNOWN_FIREWALL,
  collectors: perOsCollectors<Firewall>(import.meta.url, 'collectFirewall'),
});
