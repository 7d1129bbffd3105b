import { lazyCollector } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { antivirusSchema, UNKNOWN_ANTIVIRUS, type Antivirus } from './schema.js';

export const antivirusSignal = defineSignal<'antivirus', typeof antivirusSchema, Antivirus>({
  name: 'antivirus',
  title: 'Antivirus',
  collected: 'Which antivirus products run, whether they scan in real time, and how old their definitions are.',
  schema: antivirusSchema,
  optionalInReports: false,
  unknown: () => UNKNOWN_ANTIVIRUS,
  collectors: {
    win32: lazyCollector<Antivirus>(import.meta.url, './win32.js', 'collectAntivirusWin32'),
    darwin: lazyCollector<Antivirus>(import.meta.url, './darwin.js', 'collectAntivirusDarwin'),
    linux: lazyCollector<Antivirus>(import.meta.url, './linux.js', 'collectAntivirusLinux'),
  },
});
