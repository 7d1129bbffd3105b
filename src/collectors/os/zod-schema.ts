/**
 * The `os` part of the report as a zod schema, which its types (schema.ts) are inferred from.
 * Loaded only where reports are validated or described (the service, the docs, a session hand-over):
 * collecting and judging posture needs none of it.
 */
import { z } from 'zod';
import { PLATFORMS, type Platform } from '../../shared/platform.js';
import { list, nullableText, text } from '../report-parts.js';

export const osInfoSchema = z.object({
  platform: z.enum(PLATFORMS as readonly [Platform, ...Platform[]]),
  /** Machine-readable family: `windows`, `macos`, or the os-release ID on Linux (`ubuntu`, `debian`, `fedora`, `arch`...). */
  id: nullableText.optional(),
  /** os-release ID_LIKE on Linux (parents of the distribution); empty elsewhere. */
  idLike: list(text).optional(),
  /** Human name: `Windows 11 Pro`, `macOS`, `Ubuntu`. */
  name: nullableText,
  /**
   * The most precise comparable release version known: Windows `10.0.22631`, macOS `14.6.1`,
   * Ubuntu `24.04.3`, Debian `12.7`. Null on rolling releases and when unreadable.
   */
  version: nullableText,
  /** Windows: version with the update revision `10.0.22631.4317`; macOS: `23G93`; Linux: BUILD_ID. */
  build: nullableText,
  /** Windows `23H2`; macOS Rapid Security Response `(a)`; Linux VERSION_CODENAME. */
  displayVersion: nullableText.optional(),
  kernel: nullableText,
  arch: nullableText,
  /** End of vendor support (os-release SUPPORT_END) where the OS says so. */
  supportEnd: nullableText.optional(),
});
