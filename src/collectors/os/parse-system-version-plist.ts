/**
 * SystemVersion.plist, an XML plist read without starting a process:
 * /System/Library/CoreServices/SystemVersion.plist and, on macOS 13+, the copy in the OS cryptex
 * (/System/Cryptexes/OS/System/Library/CoreServices/SystemVersion.plist) that carries the Rapid
 * Security Response fields (ProductVersionExtra `(a)`, build `22E772610a`). Keys: ProductName,
 * ProductVersion, ProductBuildVersion, ProductVersionExtra (ydkhatri/mac_apt#95, osquery#8008).
 */
import { checkedMacVersion, type MacVersion } from '../macos/mac-version.js';
import { parseXmlPlistDict, plistText } from '../macos/plist-xml.js';

const SOURCE = 'SystemVersion.plist';

export function parseSystemVersionPlist(text: string): MacVersion {
  const dict = parseXmlPlistDict(text, SOURCE);
  return checkedMacVersion(
    {
      name: plistText(dict, 'ProductName', SOURCE),
      version: plistText(dict, 'ProductVersion', SOURCE),
      build: plistText(dict, 'ProductBuildVersion', SOURCE),
      versionExtra: plistText(dict, 'ProductVersionExtra', SOURCE),
    },
    SOURCE,
  );
}
