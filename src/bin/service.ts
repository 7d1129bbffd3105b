#!/usr/bin/env node
// posture-service: wires the process into the command line.
import { homedir } from 'node:os';
import { processIo } from '../cli/cli-io.js';
import { runServiceCli } from '../cli/service-program.js';
import { currentUserName } from '../shared/app-dirs.js';
import { currentPlatform } from '../exec/real-host.js';

const stopSignal = () =>
  new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

const reloadSignal = (reload: () => void) => {
  process.on('SIGHUP', reload);
  return () => process.off('SIGHUP', reload);
};

process.exitCode = await runServiceCli(process.argv.slice(2), {
  io: processIo(),
  facts: { platform: currentPlatform(), env: process.env, uid: process.getuid?.(), home: homedir(), userName: currentUserName() },
  stopSignal,
  reloadSignal,
});
