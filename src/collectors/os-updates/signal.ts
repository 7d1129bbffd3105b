import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { UNKNOWN_OS_UPDATES, type OsUpdates } from './schema.js';

export const osUpdatesSignal = defineSignal<'osUpdates', OsUpdates>({
  name: 'osUpdates',
  title: 'OS updates',
  collected: 'Whether the OS installs its updates by itself, how many wait, and whether a restart is pending (never which software you use).',
  optionalInReports: true,
  unknown: () => UNKNOWN_OS_UPDATES,
  collectors: perOsCollectors<OsUpdates>(import.meta.url, 'collectOsUpdates'),
});
