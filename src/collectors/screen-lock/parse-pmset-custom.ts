/**
 * `pmset -g custom` (pmset(1)): the power settings of every power source, each under a heading
 * (`Battery Power:`, `AC Power:`, `UPS Power:`; a desktop Mac has only `AC Power:`), one
 * ` <setting>  <value>` line per setting. `displaysleep` is the display sleep timer in minutes,
 * 0 = never. Only two-token lines are settings (`Sleep On Power Button 1` is not `sleep 1`). Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface PowerSourceDisplaySleep {
  /** The heading without its colon: `AC Power`, `Battery Power`, `UPS Power`. */
  source: string;
  /** Minutes; 0 = never; null when the section has no displaysleep line. */
  displaySleepMinutes: number | null;
}

export function parsePmsetCustom(text: string): PowerSourceDisplaySleep[] {
  const all = lines(text).filter((line) => line.trim() !== '');
  if (all.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'pmset -g custom printed nothing.');
  const sources: PowerSourceDisplaySleep[] = [];
  for (const line of all) {
    const heading = /^(\S.*Power):\s*$/.exec(line);
    if (heading) {
      sources.push({ source: heading[1]!, displaySleepMinutes: null });
      continue;
    }
    const setting = /^\s+(\S+)\s+(\S+)(?:\s+\(.*\))?\s*$/.exec(line);
    const current = sources.at(-1);
    if (!current || !setting || setting[1] !== 'displaysleep') continue;
    if (!/^\d+$/.test(setting[2]!)) throw new AgentError('ERR_PARSE', `pmset printed displaysleep "${setting[2]!}" for ${current.source}, not a number of minutes.`);
    current.displaySleepMinutes = Number(setting[2]);
  }
  if (sources.length === 0) throw new AgentError('ERR_PARSE', `pmset -g custom printed no "... Power:" section: ${all[0]!.trim().slice(0, 200)}`);
  return sources;
}
