// `npm start` and `npm run dist` through one wrapper: Electron and electron-builder download what
// they need on first use, and without a network they print stack traces. This runs them (no
// shell: execFile/spawn with argument arrays) and turns such a failure into one line with an
// ERR_* code and what to do, exit code 2. Everything else they print passes through.
//
//   node scripts/electron-tool.mjs start [electron args...]   the tray app from this checkout
//   node scripts/electron-tool.mjs dist [electron-builder args...]
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

// npm runs scripts from the package root: Electron and electron-builder are this project's.
const root = process.cwd();
const requireHere = createRequire(join(root, 'package.json'));
const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|getaddrinfo|socket hang up|fetch failed|HTTPError|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN/;
/** A stack frame, also inside a printed error object (`'    at f (file.js:1:2)\\n' +`). */
const STACK_FRAME = /^\s*'?\s*at\s+\S.*(:\d+:\d+\)?|\(native\))/;
const NETWORK_HELP = 'check the network (or set HTTPS_PROXY, or ELECTRON_MIRROR for a mirror)';

function fail(code, message) {
  process.stderr.write(`${message} [${code}]\n`);
  process.exit(2);
}

/** A package of this project, or one line saying how to get it. */
function packagePath(name, file) {
  try {
    return requireHere.resolve(`${name}/${file}`);
  } catch {
    return fail('ERR_COMMAND_NOT_FOUND', `${name} is not installed in ${root}: run npm ci first.`);
  }
}

/** The first line of a tool's error that says something, without a stack. */
function reasonOf(text) {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('at '));
  const line = lines.find((candidate) => /error|⨯|failed|ENOTFOUND|ECONN/i.test(candidate)) ?? lines[0] ?? 'no output';
  return line
    .replace(/^⨯\s*/, '')
    .replace(/\s+(failedTask|stackTrace)=.*$/, '')
    .replace(/\s*\{$/, '')
    .replace(/^(\w*Error):\s*/, '')
    .slice(0, 200);
}

/** Where the Electron binary is, or null when its first-run download has not happened. */
function electronBinary() {
  const electronDir = dirname(packagePath('electron', 'package.json'));
  const pathFile = join(electronDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : null;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative ?? 'electron');
  if (relative === null || !existsSync(join(electronDir, 'dist', relative))) return null;
  return join(electronDir, 'dist', relative);
}

function installElectron() {
  const electronDir = dirname(packagePath('electron', 'package.json'));
  const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8'));
  process.stderr.write(`Downloading Electron ${version} (first run only, about 100 MB)...\n`);
  return new Promise((done) => {
    execFile(process.execPath, [join(electronDir, 'install.js')], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return done();
      const output = `${stderr}\n${stdout}`;
      if (NETWORK.test(output)) {
        fail('ERR_DOWNLOAD_FAILED', `npm start needs the Electron ${version} binary and could not download it (${reasonOf(output)}): ${NETWORK_HELP}, then run npm start again.`);
      }
      fail('ERR_DOWNLOAD_FAILED', `Installing the Electron ${version} binary failed (${reasonOf(output)}): delete node_modules/electron and run npm ci again.`);
    });
  });
}

/** Runs `command args` with the terminal; forwards Ctrl-C and SIGTERM; exits with its exit code. */
function runAttached(command, args, what) {
  const child = spawn(command, args, { stdio: 'inherit', cwd: root });
  child.on('error', (error) => {
    if (error.code === 'ENOENT') fail('ERR_COMMAND_NOT_FOUND', `${what} is not at ${command}: delete node_modules/electron and run npm ci again (or unset ELECTRON_OVERRIDE_DIST_PATH).`);
    fail('ERR_COMMAND_FAILED', `${what} could not be started (${error.code ?? error.message}).`);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function start(args) {
  let binary = electronBinary();
  if (binary === null) {
    await installElectron();
    binary = electronBinary();
    if (binary === null) fail('ERR_DOWNLOAD_FAILED', 'The Electron binary is still missing after its download: delete node_modules/electron and run npm ci again.');
  }
  runAttached(binary, ['.', ...args], 'The Electron binary');
}

/**
 * electron-builder prints progress on stdout and, on failure, a "⨯ reason ... stackTrace=" line
 * followed by the stack. Progress passes through; from the failure on (and any stack frame),
 * output goes only to a log file in the temp folder, and one line says what happened.
 */
function dist(args) {
  const log = [];
  let failure = null;
  const child = spawn(process.execPath, [packagePath('electron-builder', 'cli.js'), ...args], { stdio: ['inherit', 'pipe', 'pipe'], cwd: root });
  child.on('error', (error) => fail('ERR_COMMAND_FAILED', `electron-builder could not be started (${error.code ?? error.message}).`));
  for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      log.push(line);
      if (failure === null && (/^\s*⨯ /.test(line) || line.includes('failedTask'))) failure = line;
      if (failure === null && !STACK_FRAME.test(line)) out.write(`${line}\n`);
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => {
    if (code === 0) process.exit(0);
    if (signal) process.exit(1);
    const logFile = join(mkdtempSync(join(tmpdir(), 'posture-agent-dist-')), 'electron-builder.log');
    writeFileSync(logFile, `${log.join('\n')}\n`);
    const output = failure ?? log.slice(-20).join('\n');
    const where = `full output in ${logFile}`;
    if (NETWORK.test(output)) {
      fail('ERR_DOWNLOAD_FAILED', `npm run dist could not download what electron-builder needs (${reasonOf(output)}): ${NETWORK_HELP}, or fill its cache on a connected machine (ELECTRON_CACHE); ${where}.`);
    }
    fail('ERR_COMMAND_FAILED', `electron-builder failed (${reasonOf(output)}); ${where}.`);
  });
}

const [command, ...args] = process.argv.slice(2);
if (command === 'start') await start(args);
else if (command === 'dist') dist(args);
else fail('ERR_USAGE', 'Usage: node scripts/electron-tool.mjs start|dist [arguments...]');
