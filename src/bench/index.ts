// npm run bench [-- agent|service|appraisals|daemon|gateway|fleet|console]: benchmark scripts; they print figures and never fail on them.
import { benchAgentCheck } from './agent-check.js';
import { benchAppraisals } from './appraisals.js';
import { benchConsole } from './console.js';
import { benchDaemon } from './daemon.js';
import { benchFleet } from './fleet.js';
import { benchGateway } from './gateway.js';
import { benchService } from './service.js';

const BENCHES: Record<string, (print: (line: string) => void) => Promise<void>> = {
  agent: benchAgentCheck,
  service: benchService,
  appraisals: benchAppraisals,
  daemon: benchDaemon,
  fleet: benchFleet,
  gateway: benchGateway,
  console: benchConsole,
};

const name = process.argv[2] ?? 'agent';
const bench = BENCHES[name];
if (!bench) {
  process.stderr.write(`bench: unknown benchmark "${name}"; choose one of: ${Object.keys(BENCHES).join(', ')} [ERR_USAGE]\n`);
  process.exitCode = 2;
} else {
  await bench((line) => process.stdout.write(`${line}\n`));
}
