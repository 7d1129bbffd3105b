/** The device_certificates table's rows, shared by both Store dialects. */
import type { ColumnDecoder } from './store-helpers.js';
import type { DeviceCertificateRecord } from './store.js';

export const CERTIFICATE_COLUMNS = 'serial, device_id, tls_jkt, not_before, not_after, issued_at';

export interface CertificateRow {
  serial: string;
  device_id: string;
  tls_jkt: string;
  not_before: unknown;
  not_after: unknown;
  issued_at: unknown;
}

export function certificateFromRow(row: CertificateRow, decode: ColumnDecoder): DeviceCertificateRecord {
  return {
    serial: row.serial,
    deviceId: row.device_id,
    tlsJkt: row.tls_jkt,
    notBefore: decode.date(row.not_before),
    notAfter: decode.date(row.not_after),
    issuedAt: decode.date(row.issued_at),
  };
}
