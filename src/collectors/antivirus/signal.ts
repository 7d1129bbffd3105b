import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { UNKNOWN_ANTIVIRUS, type Antivirus } from './schema.js';

export const antivirusSignal = defineSignal<'antivirus', Antivirus>({
  name: 'antivirus',
  title: 'Antivirus',
  collected: 'Which antivirus products run, whether they scan in real time, and how old their definitions are.',
  optionalInReports: false,
  unknown: () => UNKNOWN_ANTIVIRUS,
  collectors: perOsCollectors<Antivirus>(import.meta.url, 'collectAntivirus'),
});
