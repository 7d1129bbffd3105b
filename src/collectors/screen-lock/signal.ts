import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { UNKNOWN_SCREEN_LOCK, type ScreenLock } from './schema.js';

export const screenLockSignal = defineSignal<'screenLock', ScreenLock>({
  name: 'screenLock',
  title: 'Screen lock',
  collected: 'Whether your session asks for a password after it has been idle, and after how long, read in your own session (never your password).',
  optionalInReports: true,
  perUser: true,
  unknown: () => UNKNOWN_SCREEN_LOCK,
  collectors: perOsCollectors<ScreenLock>(import.meta.url, 'collectScreenLock'),
});
