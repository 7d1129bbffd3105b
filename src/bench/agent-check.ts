/**
 * `npm run bench` (agent): the median wall and CPU time of a full check on this machine over
 * several runs, the processes it starts, and the same figures for a baseline measured in the same
 * run (starting one empty process) so results compare across machines as ratios.
 */
import { collectorsFor, collectPosture, type PlatformCollectors } from '../collectors/index.js';
import { SIGNALS } from '../collectors/signals.js';
import { createAllowList } from '../exec/allow-list.js';
import { createRealHost } from '../exec/real-host.js';
import { runCommand } from '../exec/run-command.js';
import { fixed, measure, median, type Sample } from './measure.js';

const RUNS = 15;

async function samples(runs: number, work: () => Promise<unknown>): Promise<Sample[]> {
  await work();
  const result: Sample[] = [];
  for (let run = 0; run < runs; run += 1) result.push(await measure(work));
  return result;
}

export async function benchAgentCheck(print: (line: string) => void): Promise<void> {
  const baselineList = createAllowList({ node: process.execPath });
  const baseline = await samples(RUNS, () => runCommand(process.execPath, ['-e', ''], { allowList: baselineList }));

  const hosts: number[] = [];
  const checks = await samples(RUNS, async () => {
    const host = createRealHost();
    await collectPosture(host);
    hosts.push(host.spawnCount);
  });
  const report = await collectPosture(createRealHost());
  // The same check with only the first version's four signals: what the four added since cost.
  const all = await collectorsFor(createRealHost().platform);
  const firstFour: PlatformCollectors = { ...all };
  for (const signal of SIGNALS.filter((candidate) => candidate.optionalInReports)) {
    Object.assign(firstFour, { [signal.name]: () => Promise.resolve(signal.unknown(report.os.platform)) });
  }
  const fourChecks = await samples(RUNS, () => collectPosture(createRealHost(), { collectors: firstFour }));
  const fourCpu = median(fourChecks.map((s) => s.cpuMs));
  const fourWall = median(fourChecks.map((s) => s.wallMs));

  const wall = median(checks.map((s) => s.wallMs));
  const cpu = median(checks.map((s) => s.cpuMs));
  const baseWall = median(baseline.map((s) => s.wallMs));
  const baseCpu = median(baseline.map((s) => s.cpuMs));
  print(`agent check benchmark: ${RUNS} runs after one warm-up, medians (CPU includes child processes)`);
  print(`  full check            wall ${fixed(wall)} ms   cpu ${fixed(cpu)} ms   processes started ${median(hosts)}`);
  print(`  first four signals    wall ${fixed(fourWall)} ms   cpu ${fixed(fourCpu)} ms`);
  const extra = cpu / fourCpu - 1;
  print(`  the ${SIGNALS.filter((signal) => signal.optionalInReports).length} signals added since cost ${fixed(extra * 100, 0)}% more CPU (goal: at most 20%) -> ${extra <= 0.2 ? 'met' : 'NOT met'}`);
  print(`  baseline (1 process)  wall ${fixed(baseWall)} ms   cpu ${fixed(baseCpu)} ms`);
  print(`  ratio check/baseline  wall ${fixed(wall / baseWall, 2)}x   cpu ${fixed(cpu / baseCpu, 2)}x`);
  print(`  goal on the reference machine: wall < 300 ms, cpu < 150 ms -> ${wall < 300 && cpu < 150 ? 'met' : 'NOT met'}`);
  const statuses = SIGNALS.filter((signal) => signal.name !== 'os').map((signal) => `${signal.name} ${(report[signal.name] as { status: string }).status}`);
  print(`  signals: os ${report.os.name ?? 'unknown'} ${report.os.version ?? ''}, ${statuses.join(', ')}, errors ${report.errors.length}`);
}
