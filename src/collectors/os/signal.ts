import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { unknownOs, UNKNOWN_DEVICE, type OsInfo, type OsSignal } from './schema.js';

export const osSignal = defineSignal<'os', OsInfo, OsSignal>({
  name: 'os',
  title: 'Operating system',
  collected: 'Name, version, build and patch level, kernel and architecture, to tell whether the OS still gets security updates; with the device\'s host name, model and serial number where readable without administrator rights.',
  optionalInReports: false,
  unknown: (platform) => ({ os: unknownOs(platform), device: UNKNOWN_DEVICE }),
  collectors: perOsCollectors<OsSignal>(import.meta.url, 'collectOs'),
  split: (collected) => ({ value: collected.os, device: collected.device }),
});
