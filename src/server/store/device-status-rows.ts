/** The device-status query (each device with its latest appraisal), shared by both dialects. */
import type { EarStatus, Verdict } from '../../policy/types.js';
import { safeInteger, type ColumnDecoder } from './store-helpers.js';
import type { DeviceStatusRecord } from './store.js';

export const DEVICE_CHANGED_CHANNEL = 'posture_device_changed';
/** Told the purpose of a key set another process changed (PostgreSQL NOTIFY). */
export const KEYS_CHANGED_CHANNEL = 'posture_keys_changed';

/** Each device joined to its latest appraisal; `appraisal_id` is the latest's seq. */
export const DEVICE_STATUS_SELECT = `
  SELECT d.id AS device_id, d.revoked_at AS revoked_at, l.seq AS appraisal_id, l.created_at AS created_at,
    l.ear_status AS ear_status, l.tiers AS tiers, l.verdicts AS verdicts, l.result_jti AS result_jti
  FROM devices d
  LEFT JOIN latest_appraisals l ON l.device_id = d.id`;

/** A NOTIFY payload: the device id, and the seq of its appraisal when one was stored. */
export function deviceChangedPayload(deviceId: string, seq?: number): string {
  return seq === undefined ? deviceId : `${deviceId} ${seq}`;
}

export function parseDeviceChangedPayload(payload: string): { deviceId: string; seq?: number } {
  const [deviceId = '', seq] = payload.split(' ');
  const number = Number(seq);
  return seq !== undefined && Number.isSafeInteger(number) ? { deviceId, seq: number } : { deviceId };
}

export interface DeviceStatusRow {
  device_id: string;
  revoked_at: unknown;
  appraisal_id: number | bigint | string | null;
  created_at: unknown;
  ear_status: EarStatus | null;
  tiers: unknown;
  verdicts: unknown;
  result_jti: string | null;
}

export function deviceStatusFromRow(row: DeviceStatusRow, decode: ColumnDecoder): DeviceStatusRecord {
  return {
    deviceId: row.device_id,
    revoked: row.revoked_at !== null,
    latest: row.appraisal_id === null ? null : {
      id: safeInteger(row.appraisal_id),
      createdAt: decode.date(row.created_at),
      earStatus: row.ear_status!,
      tiers: decode.json(row.tiers) as string[],
      verdicts: decode.json(row.verdicts) as Verdict[],
      resultJti: row.result_jti!,
    },
  };
}
