#!/usr/bin/env node
// posture-agent. The agent does a little work now and then, for hours: a small young generation
// (1 MB semi-spaces instead of 16) and V8's optimize-for-size mode keep the daemon near 65 MB
// instead of 85 (npm run bench -- daemon). The flags must be set before anything else is loaded.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--max-semi-space-size=1 --optimize-for-size');
await import('./agent-main.js');
