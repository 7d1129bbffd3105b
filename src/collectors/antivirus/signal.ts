import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { antivirusSchema, UNKNOWN_ANTIVIRUS, type Antivirus } from './schema.js';

export const antivirusSignal = defineSignal<'antivirus', typeof antivirusSchema, Antivirus>({
  name: 'antivirus',
  title: 'Antivirus',
  collected: 'Which antivirus products run, whether they scan in real time, and how old their definitions are.',
  schema: antivirusSchema,
  optionalInReports: false,
  unknown: () => UNKNOWN_ANTIVIRUS,
  collectors: perOsCollectors<Antivirus>(import.meta.url, 'collectAntivirus'),
});
