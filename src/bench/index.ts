// npm run bench [-- agent]: benchmark scripts; they print figures and never fail on them.
import { benchAgentCheck } from './agent-check.js';

const BENCHES: Record<string, (print: (line: string) => void) => Promise<void>> = {
  agent: benchAgentCheck,
};

const name = process.argv[2] ?? 'agent';
const bench = BENCHES[name];
if (!bench) {
  process.stderr.write(`bench: unknown benchmark "${name}"; choose one of: ${Object.keys(BENCHES).join(', ')} [ERR_USAGE]\n`);
  process.exitCode = 2;
} else {
  await bench((line) => process.stdout.write(`${line}\n`));
}
