/**
 * Counts the appraisals a real store saves, per device: an appraisal identical to the device's
 * latest replaces it in the database instead of adding a row, so deliveries are counted here.
 */
import type { Store } from '../../src/server/store/store.js';

export function countStoredAppraisals(store: Store): (deviceId: string) => number {
  const stored = new Map<string, number>();
  const commit = store.commitAppraisal.bind(store);
  store.commitAppraisal = async (appraisal, failingSince, spend) => {
    const committed = await commit(appraisal, failingSince, spend);
    if (committed.outcome === 'saved') stored.set(appraisal.deviceId, (stored.get(appraisal.deviceId) ?? 0) + 1);
    return committed;
  };
  return (deviceId) => stored.get(deviceId) ?? 0;
}
