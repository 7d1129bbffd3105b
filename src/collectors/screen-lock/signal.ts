import { lazyCollector } from '../lazy-collector.js';
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
  collectors: {
    win32: lazyCollector<ScreenLock>(import.meta.url, './win32.js', 'collectScreenLockWin32'),
    darwin: lazyCollector<ScreenLock>(import.meta.url, './darwin.js', 'collectScreenLockDarwin'),
    linux: lazyCollector<ScreenLock>(import.meta.url, './linux.js', 'collectScreenLockLinux'),
  },
});
