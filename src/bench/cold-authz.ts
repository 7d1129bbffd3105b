/**
 * Forward-auth "cold" (every request a Result the service has not seen) against its ceiling, for
 * `npm run bench -- service`: in turns, raw ES256 verifications of such a Result per CPU second on
 * the service's core, and the service's decisions per second of its own CPU under a load of
 * distinct new Results. Every round gets Results of its own, so none repeats and none is cached;
 * the median of the rounds' ratios counts (this machine's CPU is shared, and turns keep a slow
 * patch from landing on one side only).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonWebKey } from 'node:crypto';
import { runNodeScript } from '../exec/node-scripts.js';
import { fixed, median } from './measure.js';

const RAW_VERIFY = join(import.meta.dirname, 'raw-verify.js');
export const COLD_GOAL = 0.5;

export interface ColdLoad {
  perSecond: number;
  total: number;
  p99: number;
  non2xx: number;
  perCpuSecond: number | null;
  busy: number | null;
}

export interface ColdOptions {
  rounds: number;
  /** Results per round: more than a round can send, so that none is sent twice. */
  perRound: number;
  /** Fresh valid Results of the service's signing key. */
  mint: (count: number) => Promise<string[]>;
  /** The key that verifies them (JWK). */
  publicJwk: JsonWebKey;
  /** The service's core. */
  core: number;
  dir: string;
  /** One load round against the service with these Results (one per line). */
  load: (tokensFile: string) => Promise<ColdLoad>;
}

export interface ColdRound {
  raw: number;
  cold: ColdLoad;
  ratio: number;
}

export async function measureColdAuthz(options: ColdOptions): Promise<ColdRound[]> {
  const resultsFile = async (name: string): Promise<{ file: string; tokens: string[] }> => {
    const tokens = await options.mint(options.perRound);
    const file = join(options.dir, `cold-${name}.txt`);
    await writeFile(file, tokens.join('\n'));
    return { file, tokens };
  };
  // A round not counted: the service's verification path compiled and warm before the first measured one.
  await options.load((await resultsFile('warm-up')).file);
  const rounds: ColdRound[] = [];
  for (let index = 0; index < options.rounds; index += 1) {
    const { file, tokens } = await resultsFile(String(index));
    const raw = Number(await runNodeScript([RAW_VERIFY, JSON.stringify({ token: tokens[0], jwk: options.publicJwk, seconds: 1.5 })], { core: options.core }));
    const cold = await options.load(file);
    if (cold.total >= tokens.length) throw new Error(`a cold round sent ${cold.total} requests with ${tokens.length} Results: raise perRound`);
    rounds.push({ raw, cold, ratio: (cold.perCpuSecond ?? cold.perSecond) / raw });
  }
  return rounds;
}

export function describeCold(rounds: readonly ColdRound[], print: (line: string) => void): void {
  const ratios = rounds.map((round) => round.ratio);
  const middle = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)]!;
  const { cold, raw, ratio } = middle;
  const perCpu = cold.perCpuSecond === null ? '' : `, ${fixed(cold.perCpuSecond, 0)} per second of service CPU (service busy ${fixed((cold.busy ?? 0) * 100, 0)}%)`;
  print(`  authz over HTTP, cold (every request a new Result, verified; the median round): ${fixed(cold.perSecond, 0)} decisions/s${perCpu}; p99 ${cold.p99} ms, non-2xx ${cold.non2xx}`);
  print(`  raw node:crypto ES256 verify of such a Result on the service's core, same round: ${fixed(raw, 0)} per CPU second`);
  print(`  rounds (${rounds.length}, raw verify and cold load in turns): cold per service CPU second / raw ${ratios.map((value) => fixed(value, 2)).join(', ')} (median ${fixed(median(ratios), 2)}, spread ${fixed(Math.min(...ratios), 2)}-${fixed(Math.max(...ratios), 2)})`);
  print(`  goal: cold authz >= ${COLD_GOAL}x raw verify per service CPU second -> ${ratio >= COLD_GOAL ? 'met' : 'NOT met'} (${fixed(ratio, 2)}x)`);
}
