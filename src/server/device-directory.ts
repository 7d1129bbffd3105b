/**
 * Enrolled devices for admins and gateways: list, show with recent appraisals, revoke. A
 * revocation is reported to `onRevoked` so this process's forward-auth denies at once.
 */
import type { ComplianceStatus, EarStatus, Verdict } from '../policy/types.js';
import { AgentError } from '../shared/errors.js';
import type { AppraisalRecord, DeviceRecord, Store } from './store/store.js';

export interface DeviceSummary {
  id: string;
  kid: string;
  hostname: string | null;
  platform: string | null;
  enrolledAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  latest: { status: ComplianceStatus; earStatus: EarStatus; policy: string; tiers: string[]; at: string } | null;
}

function summarize(device: DeviceRecord, latest: AppraisalRecord | null): DeviceSummary {
  return {
    id: device.id,
    kid: device.kid,
    hostname: device.hostname,
    platform: device.platform,
    enrolledAt: device.enrolledAt.toISOString(),
    lastSeenAt: device.lastSeenAt?.toISOString() ?? null,
    revokedAt: device.revokedAt?.toISOString() ?? null,
    revokedReason: device.revokedReason,
    latest: latest && {
      status: latest.status,
      earStatus: latest.earStatus,
      policy: `${latest.policyId}@${latest.policyVersion}`,
      tiers: latest.tiers,
      at: latest.createdAt.toISOString(),
    },
  };
}

export interface DeviceDetail extends DeviceSummary {
  appraisals: { at: string; status: ComplianceStatus; policy: string; verdicts: Verdict[] }[];
}

export class DeviceDirectory {
  readonly #store: Store;
  readonly #clock: () => Date;
  readonly #onRevoked: (deviceId: string) => void;

  constructor(store: Store, options: { clock?: () => Date; onRevoked?: (deviceId: string) => void } = {}) {
    this.#store = store;
    this.#clock = options.clock ?? (() => new Date());
    this.#onRevoked = options.onRevoked ?? (() => undefined);
  }

  async list(): Promise<DeviceSummary[]> {
    const devices = await this.#store.listDevices();
    return Promise.all(devices.map(async (device) => summarize(device, await this.#store.latestAppraisal(device.id))));
  }

  async show(id: string): Promise<DeviceDetail> {
    const device = await this.#store.getDevice(id);
    if (!device) throw new AgentError('ERR_DEVICE_UNKNOWN', `No device ${id} is enrolled.`);
    const appraisals = await this.#store.listAppraisals(id, 20);
    return {
      ...summarize(device, appraisals[0] ?? null),
      appraisals: appraisals.map((appraisal) => ({
        at: appraisal.createdAt.toISOString(),
        status: appraisal.status,
        policy: `${appraisal.policyId}@${appraisal.policyVersion}`,
        verdicts: appraisal.verdicts,
      })),
    };
  }

  async revoke(id: string, reason: string | null): Promise<DeviceSummary> {
    if (!(await this.#store.revokeDevice(id, this.#clock(), reason))) throw new AgentError('ERR_DEVICE_UNKNOWN', `No device ${id} is enrolled.`);
    this.#onRevoked(id);
    return summarize((await this.#store.getDevice(id))!, await this.#store.latestAppraisal(id));
  }
}
