/**
 * The antivirus probe's document (windows/antivirus-script.ts): `securityCenter`, every product
 * registered with Windows Security Center (absent on Windows Server), and `defender`,
 * MSFT_MpComputerStatus. Security Center's entry for Defender (pathToSignedProductExe
 * `windowsdefender://`) gives way to the richer Defender status when that was read; a passive
 * Defender behind a third-party product is listed with its mode and realTime false.
 */
import { AgentError } from '../../shared/errors.js';
import { decodeProductState, describeProductState } from '../windows/parse-product-state.js';
import {
  booleanField,
  numberField,
  parsePowerShellDocument,
  readSection,
  sourceStatus,
  stringField,
  type JsonRecord,
  type SourceStatus,
} from '../windows/parse-powershell-document.js';
import { defenderProduct, type DefenderStatus } from '../windows/defender-product.js';
import type { AntivirusProduct } from './schema.js';

const ANTIVIRUS_PROBE = 'antivirus';

export interface AntivirusReading {
  products: AntivirusProduct[];
  securityCenter: SourceStatus;
  defender: SourceStatus;
}

interface SecurityCenterEntry {
  product: AntivirusProduct;
  isDefender: boolean;
}

const DEFENDER_PATH = /^windowsdefender:\/\//i;

function securityCenterEntry(item: JsonRecord): SecurityCenterEntry {
  const productState = numberField(item, 'productState');
  if (productState === null) throw new AgentError('ERR_PARSE', 'A Security Center antivirus product has no productState.');
  const decoded = decodeProductState(productState);
  const enabled = decoded.state === null ? null : decoded.state === 'on';
  return {
    product: {
      name: stringField(item, 'displayName')?.trim() || 'Unnamed antivirus product',
      enabled,
      // Security Center's "on" is the product's own report that its real-time protection runs.
      realTime: enabled,
      upToDate: decoded.signaturesUpToDate,
      definitionsUpdatedAt: null,
      state: describeProductState(productState, decoded),
    },
    isDefender: DEFENDER_PATH.test(stringField(item, 'pathToSignedProductExe') ?? ''),
  };
}

function defenderStatus(item: JsonRecord): DefenderStatus {
  return {
    amRunningMode: stringField(item, 'amRunningMode'),
    amServiceEnabled: booleanField(item, 'amServiceEnabled'),
    antivirusEnabled: booleanField(item, 'antivirusEnabled'),
    realTimeProtectionEnabled: booleanField(item, 'realTimeProtectionEnabled'),
    antivirusSignatureAge: numberField(item, 'antivirusSignatureAge'),
    antivirusSignatureLastUpdated: stringField(item, 'antivirusSignatureLastUpdated'),
    defenderSignaturesOutOfDate: booleanField(item, 'defenderSignaturesOutOfDate'),
    amProductVersion: stringField(item, 'amProductVersion'),
  };
}

/** `now`, the check's time, dates Defender's signatures from their age when the probe has no date (defender-product.ts). */
export function parseAntivirusJson(text: string, now: Date | null = null): AntivirusReading {
  const document = parsePowerShellDocument(text, ANTIVIRUS_PROBE);
  const securityCenter = readSection(document, 'securityCenter', securityCenterEntry);
  const defender = readSection(document, 'defender', defenderStatus);
  const entries = securityCenter.ok ? securityCenter.items : [];
  const status = defender.ok ? defender.items[0] : undefined;
  const defenderEntry = entries.find((entry) => entry.isDefender);
  const products = entries.filter((entry) => !(status && entry.isDefender)).map((entry) => entry.product);
  if (status) products.push(defenderProduct(status, defenderEntry?.product.upToDate ?? null, now));
  return { products, securityCenter: sourceStatus(securityCenter), defender: sourceStatus(defender) };
}
