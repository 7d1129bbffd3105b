/**
 * `npm run bench` (agent): `posture-agent check --json` as a whole process (CPU of the process and
 * the programs it runs, peak RSS) beside `node -e 0` in alternating rounds on one core; then the
 * median wall and CPU time of a full check inside this process, the processes it starts, and the
 * same figures for a baseline measured in the same run (starting one empty process), so results
 * compare across machines as ratios.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorsFor, collectPosture, type PlatformCollectors } from '../collectors/index.js';
import { SIGNALS } from '../collectors/signals.js';
import { createAllowList } from '../exec/allow-list.js';
import { createRealHost } from '../exec/real-host.js';
import { runCommand } from '../exec/run-command.js';
import { fixed, measure, median, type Sample } from './measure.js';
import { hasGnuTime, measureNodeProcess, type ProcessCost } from './process-cost.js';

const RUNS = 15;
const PROCESS_ROUNDS = 11;
const AGENT = join(import.meta.dirname, '..', 'bin', 'agent.js');
const CLI_GOAL_RATIO = 2.5;

function spread(values: readonly number[], digits = 0): string {
  return `${fixed(median(values), digits)} (${fixed(Math.min(...values), digits)}-${fixed(Math.max(...values), digits)})`;
}

/** `posture-agent check --json` and `node -e 0` as whole processes, alternating, pinned to one core. */
async function benchCliProcess(print: (line: string) => void): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'posture-bench-cli-'));
  try {
    const check = () => measureNodeProcess([AGENT, 'check', '--json', '--state-dir', stateDir]);
    const bare = () => measureNodeProcess(['-e', '0']);
    await check();
    await bare();
    const checks: ProcessCost[] = [];
    const bares: ProcessCost[] = [];
    for (let round = 0; round < PROCESS_ROUNDS; round += 1) {
      checks.push(await check());
      bares.push(await bare());
    }
    const cpu = checks.map((cost) => cost.cpuMs);
    const bareCpu = bares.map((cost) => cost.cpuMs);
    const ratio = median(cpu) / median(bareCpu);
    const rounds = checks.map((cost, index) => cost.cpuMs / bares[index]!.cpuMs);
    const rss = (costs: ProcessCost[]) => (hasGnuTime ? ` max RSS ${spread(costs.map((cost) => cost.maxRssMb ?? 0), 1)} MiB` : '');
    print(`posture-agent check --json as a process: ${PROCESS_ROUNDS} alternating rounds on one core, medians (min-max); CPU = user + system of the process and the programs it runs${hasGnuTime ? '' : ' (without /usr/bin/time: no max RSS)'}`);
    print(`  check --json   cpu ${spread(cpu)} ms${rss(checks)}   exit ${checks[0]!.exitCode}`);
    print(`  node -e 0      cpu ${spread(bareCpu)} ms${rss(bares)}`);
    print(`  ratio check/node -e 0: ${fixed(ratio, 2)}x (per round ${fixed(Math.min(...rounds), 2)}-${fixed(Math.max(...rounds), 2)}x); goal <= ${CLI_GOAL_RATIO}x: ${ratio <= CLI_GOAL_RATIO ? 'met' : 'NOT met'}`);
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function samples(runs: number, work: () => Promise<unknown>): Promise<Sample[]> {
  await work();
  const result: Sample[] = [];
  for (let run = 0; run < runs; run += 1) result.push(await measure(work));
  return result;
}

export async function benchAgentCheck(print: (line: string) => void): Promise<void> {
  await benchCliProcess(print);
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
  print(`collecting inside this process (the daemon's cost): ${RUNS} runs after one warm-up, medians (CPU includes child processes)`);
  print(`  full check            wall ${fixed(wall)} ms   cpu ${fixed(cpu)} ms   processes started ${median(hosts)}`);
  print(`  first four signals    wall ${fixed(fourWall)} ms   cpu ${fixed(fourCpu)} ms`);
  const extra = cpu / fourCpu - 1;
  print(`  the ${SIGNALS.filter((signal) => signal.optionalInReports).length} signals added since cost ${fixed(cpu - fourCpu)} ms, ${fixed(extra * 100, 0)}% more CPU (goal: at most 20%) -> ${extra <= 0.2 ? 'met' : 'NOT met'}`);
  print(`  baseline (1 process)  wall ${fixed(baseWall)} ms   cpu ${fixed(baseCpu)} ms`);
  print(`  ratio check/baseline  wall ${fixed(wall / baseWall, 2)}x   cpu ${fixed(cpu / baseCpu, 2)}x`);
  print(`  goal on the reference machine: wall < 300 ms, cpu < 150 ms -> ${wall < 300 && cpu < 150 ? 'met' : 'NOT met'}`);
  const statuses = SIGNALS.filter((signal) => signal.name !== 'os').map((signal) => `${signal.name} ${(report[signal.name] as { status: string }).status}`);
  print(`  signals: os ${report.os.name ?? 'unknown'} ${report.os.version ?? ''}, ${statuses.join(', ')}, errors ${report.errors.length}`);
}
