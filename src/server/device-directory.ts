/**
 * Enrolled devices for admins and gateways: a paged list, show with recent appraisals and audit entries,
 * and the administrative actions (revoke, restore, reset), each written to the audit log with who
 * did it and from where. A revocation or restoration is reported to `onRevocationChanged` so this
 * process's forward-auth follows it at once.
 */
import type { ComplianceStatus, EarStatus, Verdict } from '../policy/types.js';
import { AgentError } from '../shared/errors.js';
import { DEFAULT_MAX_POSTURE_AGE_MS } from './config.js';
import { deviceListQuery, encodeCursor, type DeviceListParams } from './device-list-params.js';
import type { AppraisalRecord, AuditAction, AuditEntry, DeviceListRow, DeviceRecord, DeviceState, Store } from './store/store.js';

export interface DeviceSummary {
  id: string;
  kid: string;
  hostname: string | null;
  platform: string | null;
  enrolledAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  /** When an administrator allowed the next token enrolment to replace the key (pending), or null. */
  resetAt: string | null;
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
    resetAt: device.resetAt?.toISOString() ?? null,
    latest: latest && {
      status: latest.status,
      earStatus: latest.earStatus,
      policy: `${latest.policyId}@${latest.policyVersion}`,
      tiers: latest.tiers,
      at: latest.createdAt.toISOString(),
    },
  };
}

/** A device in the fleet list: its facts, state and failing rules, never its posture document. */
export interface DeviceListItem {
  id: string;
  hostname: string | null;
  serial: string | null;
  /** Who the device belongs to, as an administrator set it (PUT /v1/devices/{id}/owner), or null. */
  owner: string | null;
  platform: string | null;
  os: { name: string | null; version: string | null };
  enrolledAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  /** compliant, warning (in grace), noncompliant, stale (no appraisal lately), revoked, unappraised. */
  state: DeviceState;
  latest: { status: ComplianceStatus; earStatus: EarStatus; policy: string; at: string } | null;
  failing: string[];
}

export interface DeviceListView {
  devices: DeviceListItem[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

function deviceListItem(row: DeviceListRow): DeviceListItem {
  return {
    id: row.id,
    hostname: row.hostname,
    serial: row.serial,
    owner: row.owner,
    platform: row.platform,
    os: { name: row.osName, version: row.osVersion },
    enrolledAt: row.enrolledAt.toISOString(),
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    state: row.state,
    latest: row.latest && { ...row.latest, at: row.latest.at.toISOString() },
    failing: row.failing,
  };
}

export interface AuditView {
  at: string;
  actor: string;
  source: string | null;
  action: AuditAction;
  deviceId: string | null;
  detail: Record<string, string | null> | null;
}

export interface DeviceDetail extends DeviceSummary {
  owner: string | null;
  serial: string | null;
  os: { name: string | null; version: string | null };
  /** As in the fleet list. */
  state: DeviceState;
  appraisals: { at: string; status: ComplianceStatus; policy: string; verdicts: Verdict[] }[];
  audit: AuditView[];
  /** Its newest device certificates (POST /v1/certificate), at most 10. */
  certificates: CertificateView[];
}

export interface CertificateView {
  serial: string;
  /** RFC 7638 thumbprint of the certified TLS key. */
  tlsKeyThumbprint: string;
  issuedAt: string;
  notBefore: string;
  expiresAt: string;
}

/** Who asks for an administrative action: `cli:<os user>` or `apikey:<id>`, and from which address (null on the command line). */
export interface Actor {
  actor: string;
  source: string | null;
}

function auditView(entry: AuditEntry): AuditView {
  return { at: entry.at.toISOString(), actor: entry.actor, source: entry.source, action: entry.action, deviceId: entry.deviceId, detail: entry.detail };
}

export class DeviceDirectory {
  readonly #store: Store;
  readonly #clock: () => Date;
  readonly #maxPostureAgeMs: number;
  readonly #onRevocationChanged: (deviceId: string, revoked: boolean) => void;

  constructor(
    store: Store,
    options: { clock?: () => Date; onRevocationChanged?: (deviceId: string, revoked: boolean) => void; maxPostureAgeMs?: number } = {},
  ) {
    this.#store = store;
    this.#clock = options.clock ?? (() => new Date());
    this.#maxPostureAgeMs = options.maxPostureAgeMs ?? DEFAULT_MAX_POSTURE_AGE_MS;
    this.#onRevocationChanged = options.onRevocationChanged ?? (() => undefined);
  }

  /** One page of the fleet (GET /v1/devices, `devices list`): one query, no posture documents. */
  async list(params: DeviceListParams = {}): Promise<DeviceListView> {
    const query = deviceListQuery(params, { now: this.#clock(), maxPostureAgeMs: this.#maxPostureAgeMs });
    const page = await this.#store.listDevicePage(query);
    return { devices: page.rows.map(deviceListItem), nextCursor: page.next === null ? null : encodeCursor(query.sort, page.next) };
  }

  async show(id: string): Promise<DeviceDetail> {
    const device = await this.#existing(id);
    const [latest, appraisals, audit, certificates, listed] = await Promise.all([
      this.#store.latestAppraisal(id),
      this.#store.listAppraisals(id, 20),
      this.#store.listAudit({ deviceId: id, limit: 50 }),
      this.#store.listCertificates(id, 10),
      this.#store.listDevicePage({ limit: 1, sort: 'id', staleBefore: this.staleBefore(), id }),
    ]);
    const row = listed.rows[0];
    return {
      ...summarize(device, latest),
      owner: row?.owner ?? null,
      serial: row?.serial ?? null,
      os: { name: row?.osName ?? null, version: row?.osVersion ?? null },
      state: row?.state ?? (device.revokedAt === null ? 'unappraised' : 'revoked'),
      appraisals: appraisals.map((appraisal) => ({
        at: appraisal.createdAt.toISOString(),
        status: appraisal.status,
        policy: `${appraisal.policyId}@${appraisal.policyVersion}`,
        verdicts: appraisal.verdicts,
      })),
      audit: audit.map(auditView),
      certificates: certificates.map((certificate) => ({
        serial: certificate.serial,
        tlsKeyThumbprint: certificate.tlsJkt,
        issuedAt: certificate.issuedAt.toISOString(),
        notBefore: certificate.notBefore.toISOString(),
        expiresAt: certificate.notAfter.toISOString(),
      })),
    };
  }

  /** Now, by the injected clock. */
  now(): Date {
    return this.#clock();
  }

  /** An appraisal older than this is stale (--max-posture-age before now). */
  staleBefore(): Date {
    return new Date(this.#clock().getTime() - this.#maxPostureAgeMs);
  }

  /** The audit log, newest first. */
  async audit(limit: number): Promise<AuditView[]> {
    return (await this.#store.listAudit({ limit })).map(auditView);
  }

  /** Every later decision for the device denies, even with an unexpired Result. */
  async revoke(id: string, reason: string | null, by: Actor): Promise<DeviceSummary> {
    const now = this.#clock();
    if (!(await this.#store.revokeDevice(id, now, reason))) throw unknown(id);
    this.#onRevocationChanged(id, true);
    await this.#audit('device.revoke', id, by, now, { reason });
    return this.#summary(id);
  }

  /** Undoes a revocation: the device attests and is decided on again with the key it has. */
  async restore(id: string, by: Actor): Promise<DeviceSummary> {
    const now = this.#clock();
    if (!(await this.#store.restoreDevice(id, now))) throw unknown(id);
    this.#onRevocationChanged(id, false);
    await this.#audit('device.restore', id, by, now, null);
    return this.#summary(id);
  }

  /** Lets the next enrolment of this device with a token replace its key (a re-installed laptop). */
  async reset(id: string, by: Actor): Promise<DeviceSummary> {
    const now = this.#clock();
    const device = await this.#existing(id);
    if (!(await this.#store.resetDevice(id, now))) throw unknown(id);
    await this.#audit('device.reset', id, by, now, { kid: device.kid });
    return this.#summary(id);
  }

  /** Sets (or with null clears) who the device belongs to. */
  async setOwner(id: string, owner: string | null, by: Actor): Promise<string | null> {
    const now = this.#clock();
    const previous = await this.#store.getDeviceOwner(id);
    if (!(await this.#store.setDeviceOwner(id, owner))) throw unknown(id);
    await this.#audit('device.owner', id, by, now, { owner, previous });
    return owner;
  }

  async #existing(id: string): Promise<DeviceRecord> {
    const device = await this.#store.getDevice(id);
    if (!device) throw unknown(id);
    return device;
  }

  async #summary(id: string): Promise<DeviceSummary> {
    return summarize(await this.#existing(id), await this.#store.latestAppraisal(id));
  }

  #audit(action: AuditAction, deviceId: string, by: Actor, at: Date, detail: Record<string, string | null> | null): Promise<void> {
    return this.#store.appendAudit({ at, actor: by.actor, source: by.source, action, deviceId, detail });
  }
}

function unknown(id: string): AgentError {
  return new AgentError('ERR_DEVICE_UNKNOWN', `No device ${id} is enrolled.`);
}
