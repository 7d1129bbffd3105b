/**
 * A large fleet written straight through the Store (no HTTP, no signing): devices with their
 * latest appraisal under the built-in policy, in every state, some owned, plus 30 days of daily
 * counts. The appraisals are the real evaluator's output for four postures (compliant, firewall
 * off, screen lock off, disk not encrypted), spread over the fleet.
 */
import { Es256Key } from '../attest/es256-key.js';
import { DEFAULT_POLICY } from '../policy/default-policy.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { Evaluation } from '../policy/types.js';
import type { PostureReport } from '../collectors/report.js';
import type { Store } from '../server/store/store.js';
import { fleetDeviceId, postureOf, type Drift } from './fleet-devices.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const VARIANTS: readonly (Drift | null)[] = [null, null, null, null, null, null, null, 'firewall', 'screenLock', 'diskEncryption'];

export interface SeededFleet {
  size: number;
  /** A device in the middle of the fleet, for the device page. */
  sampleDeviceId: string;
}

export async function seedConsoleFleet(store: Store, size: number, now: Date, onProgress: (done: number) => void = () => undefined): Promise<SeededFleet> {
  const key = Es256Key.generate(now);
  const evaluations = new Map<Drift | null, { posture: PostureReport; evaluation: Evaluation }>();
  for (const variant of VARIANTS) {
    if (evaluations.has(variant)) continue;
    const posture = postureOf('seed', now, variant);
    // Failing for a month: past any grace period, so these devices are not compliant.
    const failingSince = Object.fromEntries(DEFAULT_POLICY.rules.map((rule) => [rule.id, new Date(now.getTime() - 30 * DAY_MS).toISOString()]));
    evaluations.set(variant, { posture, evaluation: evaluatePolicy(DEFAULT_POLICY, posture, { now, failingSince }) });
  }
  for (let index = 0; index < size; index += 1) {
    const id = fleetDeviceId('console-bench', index);
    // 1 in 50 not appraised yet; 1 in 20 last seen two days ago (stale under --max-posture-age 12h); 1 in 100 revoked.
    const enrolledAt = new Date(now.getTime() - 40 * DAY_MS + index);
    await store.insertDevice({ id, kid: key.kid, jwk: key.publicJwk, enrolledAt, hostname: `laptop-${String(index).padStart(6, '0')}`, platform: index % 3 === 0 ? 'darwin' : index % 3 === 1 ? 'win32' : 'linux' });
    if (index % 50 !== 7) {
      const { posture, evaluation } = evaluations.get(VARIANTS[index % VARIANTS.length]!)!;
      const createdAt = new Date(now.getTime() - (index % 20 === 3 ? 2 * DAY_MS : (index % 10) * MINUTE_MS));
      await store.commitAppraisal({
        deviceId: id, evidenceJti: `seed-${index}`, policyId: DEFAULT_POLICY.id, policyVersion: DEFAULT_POLICY.version,
        status: evaluation.status, earStatus: evaluation.earStatus, tiers: evaluation.tiers, verdicts: evaluation.verdicts,
        posture: { ...posture, device: { ...posture.device, id, hostname: `laptop-${String(index).padStart(6, '0')}` } },
        resultJti: `seed-result-${index}`, resultExpiresAt: new Date(createdAt.getTime() + 10 * MINUTE_MS), createdAt,
      }, evaluation.failingSince);
    }
    if (index % 10 === 0) await store.setDeviceOwner(id, `user${index}@example.com`);
    if (index % 100 === 11) await store.revokeDevice(id, now, 'bench');
    if (index % 10_000 === 0) onProgress(index);
  }
  const counts = await store.countDevicesByState(new Date(now.getTime() - DAY_MS / 2));
  for (let day = 1; day < 30; day += 1) {
    await store.putFleetDay({ day: new Date(now.getTime() - day * DAY_MS).toISOString().slice(0, 10), counts: counts.states }, now);
  }
  return { size, sampleDeviceId: fleetDeviceId('console-bench', Math.floor(size / 2)) };
}
