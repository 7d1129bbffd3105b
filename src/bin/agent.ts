#!/usr/bin/env node
// posture-agent. The daemon (`run`) does a little work now and then, for hours: a small young
// generation (1 MB semi-spaces instead of 16) and V8's optimize-for-size mode keep it near 65 MB
// instead of 85 (npm run bench -- daemon). A one-shot command would only pay for them in garbage
// collections, so they are set for `run` alone. The flags must be set before anything else is loaded.
import { setFlagsFromString } from 'node:v8';

if (process.argv.slice(2).find((arg) => !arg.startsWith('-')) === 'run') setFlagsFromString('--max-semi-space-size=1 --optimize-for-size');
await import('./agent-main.js');
