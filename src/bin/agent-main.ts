// posture-agent: wires the real machine into the command line (loaded by agent.ts).
import { homedir } from 'node:os';
import { runAgentCli } from '../cli/agent-program.js';
import { processIo } from '../cli/cli-io.js';
import { createRealHost, currentPlatform } from '../exec/real-host.js';

const platform = currentPlatform();
process.exitCode = await runAgentCli(process.argv.slice(2), {
  io: processIo(),
  createHost: () => createRealHost({ platform }),
  readRawMachineId: async () => (await import('../exec/machine-id.js')).readRawMachineId(),
  facts: { platform, env: process.env, uid: process.getuid?.(), home: homedir() },
  stopSignal: () =>
    new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    }),
});
