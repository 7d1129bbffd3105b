/**
 * TPM manufacturers. A TPM names its maker with a 32-bit vendor id that is four ASCII characters
 * padded with NUL or space (TPM_CAP_PROP_MANUFACTURER, TPM2_PT_MANUFACTURER): 0x49465800 is
 * "IFX\0". Windows prints it as a decimal number (Get-Tpm ManufacturerId 1229346816) and as text
 * (ManufacturerIdTxt "IFX"), Linux's sysfs caps as hex ("Manufacturer: 0x53544d20").
 *
 * Names from the TCG TPM Vendor ID Registry, Family 1.2 and 2.0, Version 1.06 (section 4.1,
 * product implementations). An id not in the table is reported as its own text.
 */

const TCG_VENDORS: Readonly<Record<string, string>> = {
  AMD: 'AMD',
  ANT: 'Ant Group',
  ATML: 'Atmel',
  BRCM: 'Broadcom',
  CSCO: 'Cisco',
  FLYS: 'Flyslice Technologies',
  ROCC: 'Rockchip',
  GOOG: 'Google',
  HPI: 'HP',
  HPE: 'HPE',
  HISI: 'Huawei',
  IBM: 'IBM',
  IFX: 'Infineon',
  INTC: 'Intel',
  LEN: 'Lenovo',
  MSFT: 'Microsoft',
  NSM: 'National Semiconductor',
  NTZ: 'Nationz',
  NTC: 'Nuvoton',
  QCOM: 'Qualcomm',
  SMSN: 'Samsung',
  SNS: 'Sinosun',
  SMSC: 'SMSC',
  STM: 'STMicroelectronics',
  TXN: 'Texas Instruments',
  WEC: 'Winbond',
};

/** The vendor code of a 32-bit id ("IFX" for 0x49465800); null for 0 or bytes that are not printable ASCII. */
export function vendorCodeOfId(id: number): string | null {
  if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) return null;
  const bytes = [id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff];
  if (bytes.some((byte) => byte !== 0 && (byte < 0x20 || byte > 0x7e))) return null;
  const code = String.fromCharCode(...bytes.filter((byte) => byte !== 0)).trim();
  return code === '' ? null : code;
}

/** The manufacturer's name for a vendor code ("IFX" → "Infineon"); an unregistered code is returned as it is. */
export function manufacturerOfCode(code: string | null | undefined): string | null {
  const trimmed = code?.replace(/\0/g, '').trim() ?? '';
  if (trimmed === '') return null;
  return TCG_VENDORS[trimmed.toUpperCase()] ?? trimmed;
}

/** The registered name for a vendor code; null for a code the registry does not list. */
export function registeredManufacturer(code: string | null | undefined): string | null {
  return TCG_VENDORS[code?.replace(/\0/g, '').trim().toUpperCase() ?? ''] ?? null;
}

/** The manufacturer's name for a 32-bit vendor id; null when the id says nothing. */
export function manufacturerOfId(id: number | null | undefined): string | null {
  return id === null || id === undefined ? null : manufacturerOfCode(vendorCodeOfId(id));
}

/** A `0x...` hex id as sysfs and tpm2_getcap print it; null when it is not one. */
export function parseHexId(text: string): number | null {
  const match = /^0x([0-9a-f]{1,8})$/i.exec(text.trim());
  return match ? Number.parseInt(match[1]!, 16) : null;
}
