/**
 * XProtect.bundle/Contents/Info.plist (XML): CFBundleShortVersionString is the definitions version,
 * as `defaults read .../XProtect.bundle/Contents/Info.plist CFBundleShortVersionString` shows it
 * (macadmins/sofa XProtectVersionCheck-EA.sh). The bundle lives in
 * /Library/Apple/System/Library/CoreServices on macOS 10.15 and later.
 */
import { AgentError } from '../../shared/errors.js';
import { parseXmlPlistDict, plistText } from '../macos/plist-xml.js';

export interface XProtectBundle {
  version: string;
}

const SOURCE = 'XProtect.bundle Info.plist';

export function parseXProtectInfoPlist(text: string): XProtectBundle {
  const version = plistText(parseXmlPlistDict(text, SOURCE), 'CFBundleShortVersionString', SOURCE);
  if (version === null) throw new AgentError('ERR_PARSE', `${SOURCE} has no CFBundleShortVersionString.`);
  return { version };
}
