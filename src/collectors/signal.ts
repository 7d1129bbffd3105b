/**
 * A signal is one unit (after osquery's table specs): its name in the report, its unknown value,
 * the employee-facing "what is collected and why", and one lazily loaded collector per OS. Its
 * type is inferred from its zod schema (<signal>/zod-schema.ts, listed in signal-schemas.ts), which
 * only validating and describing reports loads. The list in signals.ts drives collectPosture, the
 * report schema, the tray, the CLI and the docs.
 */
import type { Platform } from '../shared/platform.js';
import type { SignalCollector } from './host.js';

/** The device's inventory, which the os signal reads along with the OS. */
export interface DeviceInventory {
  hostname: string | null;
  serial: string | null;
  model: string | null;
  manufacturer: string | null;
}

export interface SignalDefinition<Name extends string = string, Value = unknown, Collected = Value> {
  /** The report's key (a contract: never renamed). */
  readonly name: Name;
  /** A few words for people: `Disk encryption`. */
  readonly title: string;
  /** What is collected and why, in one line the tray and the docs show. */
  readonly collected: string;
  /**
   * Reports from agents older than the signal lack it; the service then reads it as unknown.
   * False only for the signals of the first report version.
   */
  readonly optionalInReports: boolean;
  /** The value when nothing could be read. */
  unknown(platform: Platform): Collected;
  /** The collector of each OS, imported only when that OS runs a check. */
  readonly collectors: Readonly<Record<Platform, () => Promise<SignalCollector<Collected>>>>;
  /**
   * A per-user setting (screen lock): read in the user's own session. A process running as root or
   * SYSTEM cannot read it; it gets it handed over by the user's session (UserSessionSource).
   */
  readonly perUser?: true;
  /** When the collected value is more than the report's part (the os signal also brings the device inventory). */
  split?(collected: Collected): { value: Value; device: DeviceInventory };
}

export function defineSignal<Name extends string, Value, Collected = Value>(
  definition: SignalDefinition<Name, Value, Collected>,
): SignalDefinition<Name, Value, Collected> {
  return definition;
}
