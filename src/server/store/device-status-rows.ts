/** The device-status query (each device with its latest appraisal), shared by both dialects. */
import type { EarStatus, Verdict } from '../../policy/types.js';
import { safeInteger, type ColumnDecoder } from './store-helpers.js';
import type { DeviceStatusRecord } from './store.js';

export const DEVICE_CHANGED_CHANNEL = 'posture_device_changed';

/** Each device joined to its newest appraisal (the appraisals_device_newest index answers the subquery). */
export const DEVICE_STATUS_SELECT = `
  SELECT d.id AS device_id, d.revoked_at AS revoked_at, a.id AS appraisal_id, a.created_at AS created_at,
    a.ear_status AS ear_status, a.tiers AS tiers, a.verdicts AS verdicts, a.result_jti AS result_jti
  FROM devices d
  LEFT JOIN appraisals a ON a.id = (
    SELECT latest.id FROM appraisals latest WHERE latest.device_id = d.id ORDER BY latest.created_at DESC, latest.id DESC LIMIT 1
  )`;

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
