import { perOsCollectors } from '../lazy-collector.js';
import { defineSignal } from '../signal.js';
import { screenLockSchema, UNKNOWN_SCREEN_LOCK, type ScreenLock } from './schema.js';

export const screenLockSignal = defineSignal<'screenLock', typeof screenLockSchema, ScreenLock>({
  name: 'screenLock',
  title: 'Screen lock',
  collected: 'Whether your session asks for a password after it has been idle, and after how long, read in your own session (never your password).',
  schema: screenLockSchema,
  optionalInReports: true,
  perUser: true,
  unknown: () => UNKNOWN_SCREEN_LOCK,
  collectors: perOsCollectors<ScreenLock>(import.meta.url, 'collectScreenLock'),
});
