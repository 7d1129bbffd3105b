// electron-builder.yml and the installer files it points at (packaging/README.md, "The
// installers"). Packaging itself needs Electron's binaries and cannot run here (design §8), so
// this checks what can be checked offline: electron-builder's own configuration validator, its
// own icon resolution and file matcher, the configuration's decisions (targets, fuses, hardened
// runtime, entitlements), and the installers' scripts, run against a temporary root.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Configuration, FileSet, LinuxConfiguration } from 'electron-builder';
import { parse as parsePlist } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');
const CONFIG_FILE = join(ROOT, 'electron-builder.yml');
const config = parseYaml(readFileSync(CONFIG_FILE, 'utf8')) as Configuration;

// electron-builder's own modules, from where electron-builder itself loads them.
const requireFromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
const requireFromLib = createRequire(requireFromBuilder.resolve('app-builder-lib/package.json'));
const { validateConfiguration } = requireFromLib('./out/util/config/config.js') as {
  validateConfiguration: (config: Configuration, debugLogger: unknown) => Promise<void>;
};
const { DebugLogger } = requireFromLib('builder-util') as { DebugLogger: new (isEnabled?: boolean) => unknown };
const { sanitizeFileName } = requireFromLib('builder-util/out/filename') as { sanitizeFileName: (name: string) => string };
const { convertIcon } = requireFromLib('./out/util/iconConverter.js') as {
  convertIcon: (options: { sources: string[]; fallbackSources: string[]; roots: string[]; format: 'ico' | 'icns' | 'set'; outDir: string }) => Promise<{
    icons: { file: string; size: number }[];
    isFallback: boolean;
  }>;
};
const { FileMatcher } = requireFromLib('./out/fileMatcher.js') as {
  FileMatcher: new (from: string, to: string, expand: (pattern: string) => string, patterns: string[]) => {
    createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean;
  };
};

const BUILD_RESOURCES = resolve(ROOT, config.directories?.buildResources ?? 'build');
const PRODUCT_NAME = config.productName!;
/** What electron-builder names things after: /opt/<this>, "<this>.exe", "<this>.app". */
const PRODUCT_FILE_NAME = sanitizeFileName(PRODUCT_NAME);
const LINUX_EXECUTABLE = sanitizeFileName(config.linux!.executableName!);
const LINUX_APP_DIR = `/opt/${PRODUCT_FILE_NAME}`;

const FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};
const ENTITLEMENTS = { 'com.apple.security.cs.allow-jit': true };
const LINUX_WRAPPER_EXEC = `exec "${LINUX_APP_DIR}/${LINUX_EXECUTABLE}" --no-sandbox --ozone-platform=headless --agent-cli "$@"`;
const MAC_WRAPPER_EXEC = `exec "/Applications/${PRODUCT_FILE_NAME}.app/Contents/MacOS/${PRODUCT_FILE_NAME}" --agent-cli "$@"`;
const WINDOWS_WRAPPER = `@"%~dp0${PRODUCT_FILE_NAME}.exe" --agent-cli %*\r\n`;

const clone = <T>(value: T): T => structuredClone(value);

function targetNames(target: unknown): string[] {
  const list: unknown[] = Array.isArray(target) ? target : [target];
  return list.map((entry) => (typeof entry === 'string' ? entry : (entry as { target: string }).target));
}

function fileSets(value: unknown): FileSet[] {
  return (Array.isArray(value) ? value : [value]).filter((entry): entry is FileSet => typeof entry === 'object' && entry !== null);
}

/** The destination of packaging file `source` under the app's folder, by the given extraFiles/extraResources. */
function shippedAs(sets: unknown, source: string): string {
  for (const set of fileSets(sets)) {
    const from = resolve(ROOT, set.from!);
    const filters = (set.filter ?? []) as string[];
    if (dirname(resolve(ROOT, source)) === from && filters.includes(relative(from, resolve(ROOT, source)))) {
      return join(set.to ?? '.', relative(from, resolve(ROOT, source)));
    }
  }
  throw new Error(`${source} is not shipped by ${JSON.stringify(sets)}`);
}

/** electron-builder's FpmTarget template expansion of deb/rpm scripts, unknown names refused. */
function renderLinuxScript(file: string): string {
  const escape = (value: string) => value.replace(/'/g, "'\\''");
  const values: Record<string, unknown> = {
    executable: escape(LINUX_EXECUTABLE),
    sanitizedProductName: escape(PRODUCT_FILE_NAME),
    productFilename: PRODUCT_FILE_NAME,
    ...(config.linux as LinuxConfiguration),
  };
  return readFileSync(resolve(ROOT, file), 'utf8').replace(/\$\{([a-zA-Z]+)\}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`${file}: macro \${${name}} is not defined (electron-builder refuses it)`);
    return String(values[name]);
  });
}

function run(command: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
}

function mode(file: string): number {
  return statSync(file).mode & 0o7777;
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'posture-installers-'));
  // Real tools for the real checks: shellcheck (POSIX sh) and makensis (the NSIS include).
  execFileSync(join(ROOT, 'scripts/install-test-packages.sh'), ['shellcheck', 'nsis'], { stdio: 'inherit' });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('electron-builder.yml and electron-builder', () => {
  it("passes electron-builder's own configuration validator", async () => {
    await expect(validateConfiguration(clone(config), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it.each([
    ['an unknown top-level key', (c: Record<string, unknown>) => (c.electronFuse = { runAsNode: false }), /configuration has an unknown property 'electronFuse'/],
    ['an unknown fuse', (c: Record<string, unknown>) => ((c.electronFuses as Record<string, unknown>).runAsNodeJs = false), /configuration\.electronFuses should be one of these/],
    ['a string where nsis wants a boolean', (c: Record<string, unknown>) => ((c.nsis as Record<string, unknown>).perMachine = 'sometimes'), /nsis\.perMachine should be a boolean/],
    ['an object for hardenedRuntime', (c: Record<string, unknown>) => ((c.mac as Record<string, unknown>).hardenedRuntime = { on: true }), /mac\.hardenedRuntime should be a boolean/],
    ['a misspelt deb option', (c: Record<string, unknown>) => ((c.deb as Record<string, unknown>).afterInstal = 'x.sh'), /configuration\.deb should be one of these/],
  ])('and the validator refuses a copy with %s (so this test can fail)', async (_what, mutate, message) => {
    const broken = clone(config) as unknown as Record<string, unknown>;
    mutate(broken);
    await expect(validateConfiguration(broken as Configuration, new DebugLogger(false))).rejects.toThrow(message);
  });

  it('sets every Electron fuse as decided, and only those', () => {
    expect(config.electronFuses).toEqual(FUSES);
  });

  it('configures every installer: NSIS and MSI, DMG and PKG, AppImage, deb and rpm', () => {
    expect(targetNames(config.win?.target).sort()).toEqual(['msi', 'nsis']);
    expect(targetNames(config.mac?.target).sort()).toEqual(['dmg', 'pkg']);
    expect(targetNames(config.linux?.target).sort()).toEqual(['AppImage', 'deb', 'rpm']);
  });

  it('puts dist (without dist/bench and the web console), package.json and the tray icons in the app, and nothing else of the repository', () => {
    expect(config.asar).toBe(true);
    const filter = new FileMatcher(ROOT, join(scratch, 'app'), (pattern) => pattern, config.files as string[]).createFilter();
    const included = (file: string) => filter(join(ROOT, file), { isDirectory: () => false });
    for (const file of ['dist/main/index.js', 'dist/preload/index.cjs', 'dist/renderer/index.html', 'package.json', 'assets/tray/compliant.png', 'assets/tray/offlineTemplate@2x.png']) {
      expect(included(file), file).toBe(true);
    }
    for (const file of ['dist/bench/index.js', 'dist/console/index.html', 'src/main/index.ts', 'assets/icon.icns', 'packaging/linux/posture-agent.service', 'electron-builder.yml', 'test/unit/electron-builder.test.ts']) {
      expect(included(file), file).toBe(false);
    }
    // The entry point and the bundles it loads are built (test/global-setup.ts runs the build).
    expect(config.extraMetadata?.main).toBe('dist/main/index.js');
    for (const file of ['dist/main/index.js', 'dist/preload/index.cjs', 'dist/renderer/index.html']) expect(existsSync(join(ROOT, file)), file).toBe(true);
    // electron-builder keeps the build-resources folder out of the app: it must not be assets/.
    expect(relative(BUILD_RESOURCES, join(ROOT, 'assets/tray')).startsWith('..')).toBe(true);
  });

  it("resolves every icon the way electron-builder's packagers do, without falling back to Electron's", async () => {
    const roots = [BUILD_RESOURCES, ROOT];
    const outDir = join(scratch, 'icons');
    const ico = await convertIcon({ sources: [config.win!.icon!], fallbackSources: [], roots, format: 'ico', outDir });
    expect(ico).toEqual({ icons: [{ file: join(ROOT, 'assets/icon.ico'), size: 256 }], isFallback: false });
    const icns = await convertIcon({ sources: [config.mac!.icon!], fallbackSources: [], roots, format: 'icns', outDir });
    expect(icns.icons.map((icon) => icon.file)).toEqual([join(ROOT, 'assets/icon.icns')]);
    const set = await convertIcon({ sources: [config.linux!.icon!, config.mac!.icon!], fallbackSources: [], roots, format: 'set', outDir });
    expect(set.isFallback).toBe(false);
    expect(set.icons.map((icon) => icon.size)).toEqual([16, 24, 32, 48, 64, 128, 256, 512, 1024]);
    for (const icon of set.icons) expect(icon.file).toBe(join(ROOT, `assets/icons/${icon.size}x${icon.size}.png`));
  });

  it('references only files that exist, each resolved the way electron-builder resolves that option', () => {
    // getResource: the build-resources folder first, then the project.
    const resource = (value: string) => [resolve(BUILD_RESOURCES, value), resolve(ROOT, value)].find((file) => existsSync(file));
    expect(resource(config.nsis!.include!), 'nsis.include').toBe(join(BUILD_RESOURCES, 'installer.nsh'));
    // pkg.scripts: relative to the build-resources folder only.
    const pkgScripts = resolve(BUILD_RESOURCES, config.pkg!.scripts!);
    expect(readdirSync(pkgScripts).sort()).toEqual(['postinstall', 'preinstall']);
    for (const name of ['postinstall', 'preinstall']) expect(mode(join(pkgScripts, name)) & 0o111, `${name} must be executable`).toBe(0o111);
    // Entitlements and the deb/rpm scripts: relative to the project (the working directory).
    for (const file of [config.mac!.entitlements!, config.mac!.entitlementsInherit!, config.deb!.afterInstall!, config.deb!.afterRemove!, config.rpm!.afterInstall!, config.rpm!.afterRemove!]) {
      expect(existsSync(resolve(ROOT, file)), file).toBe(true);
    }
    // extraFiles / extraResources: every folder and every file its filter names.
    for (const sets of [config.win!.extraFiles, config.mac!.extraResources, config.linux!.extraResources]) {
      expect(fileSets(sets).length).toBeGreaterThan(0);
      for (const set of fileSets(sets)) {
        for (const name of set.filter as string[]) expect(existsSync(resolve(ROOT, set.from!, name)), `${set.from!}/${name}`).toBe(true);
      }
    }
  });
});

describe('Windows: NSIS and MSI', () => {
  const include = readFileSync(join(BUILD_RESOURCES, 'installer.nsh'), 'utf8');

  it('is a per-machine assisted installer in a fixed folder, with the .ico', () => {
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true, allowToChangeInstallationDirectory: false });
    expect(config.msi).toMatchObject({ perMachine: true });
    expect(config.win!.icon).toMatch(/\.ico$/);
  });

  it('ships posture-agent.cmd next to the executable, running it with --agent-cli', () => {
    expect(shippedAs(config.win!.extraFiles, 'packaging/installers/windows/posture-agent.cmd')).toBe('posture-agent.cmd');
    expect(readFileSync(join(ROOT, 'packaging/installers/windows/posture-agent.cmd'), 'latin1')).toBe(WINDOWS_WRAPPER);
    // The scheduled task runs exactly that file.
    const task = readFileSync(join(ROOT, 'packaging/windows/posture-agent-task.xml'), 'utf8');
    expect(task).toContain(`<Command>%ProgramFiles%\\${PRODUCT_FILE_NAME}\\posture-agent.cmd</Command>`);
  });

  it('ships the task and its scripts in service\\, and the NSIS hooks run the scripts that are shipped', () => {
    for (const name of ['posture-agent-task.xml', 'install-task.ps1', 'uninstall-task.ps1']) {
      expect(shippedAs(config.win!.extraFiles, `packaging/windows/${name}`)).toBe(join('service', name));
    }
    const hook = (macro: string) => /!macro (\w+)\n([\s\S]*?)!macroend/g.exec(include.slice(include.indexOf(`!macro ${macro}\n`)))?.[2] ?? '';
    expect(hook('customInstall')).toMatch(/PostureAgentRunScript "install-task\.ps1"/);
    expect(hook('customUnInstall')).toMatch(/PostureAgentRunScript "uninstall-task\.ps1"/);
    expect(include).toContain('-File "$INSTDIR\\service\\${SCRIPT}"');
    for (const [, script] of include.matchAll(/PostureAgentRunScript "([^"]+)"/g)) expect(existsSync(join(ROOT, 'packaging/windows', script!)), script).toBe(true);
  });

  it('has an NSIS include that makensis compiles with warnings as errors (as electron-builder does), and a broken one that it does not', () => {
    const compile = (includeFile: string) => {
      const script = join(scratch, 'hooks.nsi');
      writeFileSync(
        script,
        [
          'Unicode true',
          '!include "LogicLib.nsh"',
          '!include "x64.nsh"',
          `!include "${includeFile}"`,
          'Name "hooks"',
          `OutFile "${join(scratch, 'hooks.exe')}"`,
          'RequestExecutionLevel admin',
          'InstallDir "$PROGRAMFILES64\\Posture Agent"',
          'Section "install"',
          '  !insertmacro customInstall',
          '  WriteUninstaller "$INSTDIR\\uninstall.exe"',
          'SectionEnd',
          'Section "Uninstall"',
          '  !insertmacro customUnInstall',
          'SectionEnd',
          '',
        ].join('\n'),
      );
      return run('makensis', ['-WX', '-V2', script]);
    };
    const good = compile(join(BUILD_RESOURCES, 'installer.nsh'));
    expect(good.status, good.stdout + good.stderr).toBe(0);
    const broken = join(scratch, 'broken.nsh');
    writeFileSync(broken, include.replace('nsExec::ExecToLog', 'nsExec::ExecToLogg'));
    expect(compile(broken).status).not.toBe(0);
  });
});

describe('macOS: DMG and PKG', () => {
  const postinstall = join(BUILD_RESOURCES, config.pkg!.scripts!, 'postinstall');
  const preinstall = join(BUILD_RESOURCES, config.pkg!.scripts!, 'preinstall');

  it('signs with the hardened runtime and exactly the entitlements chosen (allow-jit)', () => {
    expect(config.mac).toMatchObject({ hardenedRuntime: true, gatekeeperAssess: false, category: 'public.app-category.utilities' });
    expect(config.mac!.entitlementsInherit).toBe(config.mac!.entitlements);
    const text = readFileSync(resolve(ROOT, config.mac!.entitlements!), 'utf8');
    expect(text).toContain('<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">');
    expect(parsePlist(text)).toEqual(ENTITLEMENTS);
    // Notarisation is left to CI credentials (APPLE_API_KEY ...): not disabled here.
    expect(config.mac!.notarize).toBeUndefined();
  });

  it('is a menu-bar app without a Dock icon', () => {
    expect(config.mac!.extendInfo).toMatchObject({ LSUIElement: true });
  });

  it('installs the pkg machine-wide, in /Applications, never relocated to another copy of the app', () => {
    expect(config.pkg).toMatchObject({ installLocation: '/Applications', allowAnywhere: false, allowCurrentUserHome: false, allowRootDirectory: true, isRelocatable: false });
  });

  it('has pkg scripts that are POSIX sh (sh -n, shellcheck)', () => {
    for (const script of [postinstall, preinstall]) {
      expect(readFileSync(script, 'utf8').startsWith('#!/bin/sh\n'), script).toBe(true);
      const syntax = run('sh', ['-n', script]);
      expect(syntax.status, syntax.stderr).toBe(0);
      const lint = run('shellcheck', ['--shell=sh', '--severity=style', script]);
      expect(lint.status, lint.stdout).toBe(0);
    }
  });

  it("has a postinstall that installs the LaunchDaemon, the log folder and the posture-agent command (run against a temporary root, twice)", () => {
    const root = join(scratch, 'mac-root');
    const bin = fakeCommands(join(scratch, 'mac-bin'), ['launchctl', 'chown']);
    const appResources = join(root, `Applications/${PRODUCT_FILE_NAME}.app/Contents/Resources`);
    for (const name of ['com.posture-agent.daemon.plist', 'com.posture-agent.agent.plist']) {
      const target = join(appResources, shippedAs(config.mac!.extraResources, `packaging/macos/${name}`));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(ROOT, 'packaging/macos', name), target);
    }
    for (let round = 0; round < 2; round++) {
      const result = run('sh', [postinstall, '/tmp/Posture Agent.pkg', '/Applications', '/'], { PATH: `${bin.dir}:${process.env.PATH ?? ''}`, POSTURE_AGENT_DESTDIR: root });
      expect(result.status, result.stderr).toBe(0);
    }
    const daemon = join(root, 'Library/LaunchDaemons/com.posture-agent.daemon.plist');
    expect(readFileSync(daemon)).toEqual(readFileSync(join(ROOT, 'packaging/macos/com.posture-agent.daemon.plist')));
    expect(mode(daemon)).toBe(0o644);
    expect(existsSync(join(root, 'Library/LaunchAgents')), 'the per-user LaunchAgent is not installed').toBe(false);
    expect(statSync(join(root, 'Library/Logs/PostureAgent')).isDirectory()).toBe(true);
    expect(mode(join(root, 'Library/Logs/PostureAgent'))).toBe(0o755);
    const wrapper = join(root, 'usr/local/bin/posture-agent');
    expect(mode(wrapper)).toBe(0o755);
    const lines = readFileSync(wrapper, 'utf8').split('\n');
    expect(lines[0]).toBe('#!/bin/sh');
    expect(lines.filter((line) => line.startsWith('exec '))).toEqual([MAC_WRAPPER_EXEC]);
    // The LaunchDaemon starts that command.
    expect((parsePlist(readFileSync(daemon, 'utf8')) as { ProgramArguments: string[] }).ProgramArguments[0]).toBe('/usr/local/bin/posture-agent');
    // Against a temporary root: no launchctl, no chown, nothing left behind.
    expect(bin.calls()).toEqual([]);
    expect(readdirSync(join(root, 'usr/local/bin'))).toEqual(['posture-agent']);
    const pre = run('sh', [preinstall, '/tmp/Posture Agent.pkg', '/Applications', '/'], { PATH: `${bin.dir}:${process.env.PATH ?? ''}`, POSTURE_AGENT_DESTDIR: root });
    expect(pre.status, pre.stderr).toBe(0);
    expect(bin.calls()).toEqual([]);
  });
});

/** Stand-ins on PATH that record their arguments (and exit with FAKE_EXIT, default 0). */
function fakeCommands(dir: string, names: string[]): { dir: string; calls(): string[] } {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  for (const name of names) {
    writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >>"${log}"\nexit "\${FAKE_EXIT:-0}"\n`, { mode: 0o755 });
  }
  return {
    dir,
    calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
  };
}

describe('Linux: AppImage, deb and rpm', () => {
  const afterInstall = config.deb!.afterInstall!;
  const afterRemove = config.deb!.afterRemove!;
  const HOST_COMMANDS = ['systemctl', 'update-alternatives', 'update-desktop-database', 'update-mime-database', 'apparmor_status', 'apparmor_parser'];

  it('names the tray binary so that it does not clash with the posture-agent command, with a desktop entry in Utility', () => {
    expect(LINUX_EXECUTABLE).toBe('posture-agent-tray');
    expect(config.linux!.category).toBe('Utility');
    expect(config.linux!.desktop?.entry).toMatchObject({ Name: PRODUCT_NAME });
  });

  it('uses the same after-install and after-remove scripts for deb and rpm', () => {
    expect(config.rpm!.afterInstall).toBe(afterInstall);
    expect(config.rpm!.afterRemove).toBe(afterRemove);
  });

  it('has scripts electron-builder can expand, rpm can embed (no %), and that are POSIX sh (sh -n, shellcheck)', () => {
    for (const file of [afterInstall, afterRemove]) {
      const template = readFileSync(resolve(ROOT, file), 'utf8');
      expect(template.startsWith('#!/bin/sh\n'), file).toBe(true);
      expect(template, 'rpm expands % macros in scriptlets').not.toContain('%');
      expect(template).not.toContain('<%=');
      expect(template.match(/\$\{[a-zA-Z]+\}/g)?.sort()).toEqual(['${executable}', '${sanitizedProductName}']);
      const rendered = join(scratch, relative(ROOT, file).replaceAll('/', '_'));
      writeFileSync(rendered, renderLinuxScript(file));
      const syntax = run('sh', ['-n', rendered]);
      expect(syntax.status, syntax.stderr).toBe(0);
      const lint = run('shellcheck', ['--shell=sh', '--severity=style', rendered]);
      expect(lint.status, lint.stdout).toBe(0);
    }
  });

  it('refuses, like electron-builder, a script with an unknown ${name} (so the expansion check can fail)', () => {
    const broken = join(scratch, 'broken-after-install.sh');
    writeFileSync(broken, `${readFileSync(resolve(ROOT, afterInstall), 'utf8')}\necho \${DESTDIR}\n`);
    expect(() => renderLinuxScript(broken)).toThrow(/DESTDIR/);
  });

  describe('run against a temporary root', () => {
    let root: string;
    let bin: ReturnType<typeof fakeCommands>;
    let install: string;
    let remove: string;

    beforeAll(() => {
      root = join(scratch, 'linux-root');
      bin = fakeCommands(join(scratch, 'linux-bin'), HOST_COMMANDS);
      install = join(scratch, 'after-install.sh');
      remove = join(scratch, 'after-remove.sh');
      writeFileSync(install, renderLinuxScript(afterInstall));
      writeFileSync(remove, renderLinuxScript(afterRemove));
      // What the package itself unpacks: the app and its resources, with the units where
      // linux.extraResources puts them.
      const resources = join(root, LINUX_APP_DIR, 'resources');
      for (const name of ['posture-agent.service', 'posture-agent-user.service']) {
        const target = join(resources, shippedAs(config.linux!.extraResources, `packaging/linux/${name}`));
        mkdirSync(dirname(target), { recursive: true });
        cpSync(join(ROOT, 'packaging/linux', name), target);
      }
      writeFileSync(join(root, LINUX_APP_DIR, LINUX_EXECUTABLE), '', { mode: 0o755 });
      writeFileSync(join(root, LINUX_APP_DIR, 'chrome-sandbox'), '', { mode: 0o755 });
    });

    const sh = (script: string, args: string[], env: Record<string, string> = {}) => {
      writeFileSync(join(bin.dir, 'calls.log'), '');
      const result = run('sh', [script, ...args], { PATH: `${bin.dir}:${process.env.PATH ?? ''}`, POSTURE_AGENT_DESTDIR: root, ...env });
      expect(result.status, result.stdout + result.stderr).toBe(0);
      return bin.calls();
    };
    const systemd = (running: boolean) => {
      if (running) mkdirSync(join(root, 'run/systemd/system'), { recursive: true });
      else rmSync(join(root, 'run'), { recursive: true, force: true });
    };

    it('creates the posture-agent command and the links, and places both units (twice: idempotent)', () => {
      systemd(false);
      for (const args of [['configure', ''], ['1']]) expect(sh(install, args), 'no host command without systemd').toEqual([]);
      const wrapper = join(root, 'usr/bin/posture-agent');
      expect(mode(wrapper)).toBe(0o755);
      const lines = readFileSync(wrapper, 'utf8').split('\n');
      expect(lines[0]).toBe('#!/bin/sh');
      expect(lines.filter((line) => line.startsWith('exec '))).toEqual([LINUX_WRAPPER_EXEC]);
      expect(readlinkSync(join(root, 'usr/bin', LINUX_EXECUTABLE))).toBe(`${LINUX_APP_DIR}/${LINUX_EXECUTABLE}`);
      for (const [source, target] of [
        ['posture-agent.service', 'usr/lib/systemd/system/posture-agent.service'],
        ['posture-agent-user.service', 'usr/lib/systemd/user/posture-agent.service'],
      ] as const) {
        expect(readFileSync(join(root, target)), target).toEqual(readFileSync(join(ROOT, 'packaging/linux', source)));
        expect(mode(join(root, target))).toBe(0o644);
        // The unit starts that command.
        expect(readFileSync(join(root, target), 'utf8')).toMatch(/^ExecStart=\/usr\/bin\/posture-agent run( --share-status)?$/m);
      }
      expect(readdirSync(join(root, 'usr/bin')).sort()).toEqual(['posture-agent', LINUX_EXECUTABLE]);
    });

    it('passes its arguments to the app binary unchanged, after the CLI flags', () => {
      const stub = join(scratch, 'print-args');
      writeFileSync(stub, '#!/bin/sh\nfor arg in "$@"; do printf "%s\\n" "$arg"; done\n', { mode: 0o755 });
      const copy = join(scratch, 'posture-agent-copy');
      writeFileSync(copy, readFileSync(join(root, 'usr/bin/posture-agent'), 'utf8').replace(`${LINUX_APP_DIR}/${LINUX_EXECUTABLE}`, stub));
      const result = run('sh', [copy, 'status', '--json', 'two words', '']);
      expect(result.stdout.split('\n').slice(0, -1)).toEqual(['--no-sandbox', '--ozone-platform=headless', '--agent-cli', 'status', '--json', 'two words', '']);
    });

    it('enables and starts the system unit on a first install where systemd runs, restarts it on an upgrade', () => {
      systemd(true);
      for (const args of [['configure', ''], ['configure'], ['1'], []]) {
        expect(sh(install, args), args.join(' ')).toEqual(['systemctl daemon-reload', 'systemctl enable --now posture-agent.service']);
      }
      for (const args of [['configure', '0.1.0'], ['2'], ['abort-upgrade', '0.1.0']]) {
        expect(sh(install, args), args.join(' ')).toEqual(['systemctl daemon-reload', 'systemctl try-restart posture-agent.service']);
      }
    });

    it('does not fail the installation when systemctl fails', () => {
      systemd(true);
      expect(sh(install, ['configure', ''], { FAKE_EXIT: '1' })).toEqual(['systemctl daemon-reload', 'systemctl enable --now posture-agent.service']);
      expect(existsSync(join(root, 'usr/bin/posture-agent'))).toBe(true);
    });

    it('leaves everything in place when the old version is removed during an upgrade', () => {
      systemd(true);
      for (const args of [['upgrade', '0.2.0'], ['1'], ['failed-upgrade', '0.2.0']]) expect(sh(remove, args), args.join(' ')).toEqual([]);
      expect(existsSync(join(root, 'usr/bin/posture-agent'))).toBe(true);
      expect(existsSync(join(root, 'usr/lib/systemd/system/posture-agent.service'))).toBe(true);
    });

    it('stops and disables the daemon and removes the command, the link and the units on removal (twice: idempotent)', () => {
      systemd(true);
      expect(sh(remove, ['remove'])).toEqual(['systemctl disable --now posture-agent.service', 'systemctl daemon-reload', 'systemctl reset-failed posture-agent.service']);
      expect(sh(remove, ['purge'])).toEqual(['systemctl disable --now posture-agent.service', 'systemctl daemon-reload', 'systemctl reset-failed posture-agent.service']);
      systemd(false);
      expect(sh(remove, ['0'])).toEqual([]);
      for (const gone of ['usr/bin/posture-agent', `usr/bin/${LINUX_EXECUTABLE}`, 'usr/lib/systemd/system/posture-agent.service', 'usr/lib/systemd/user/posture-agent.service']) {
        expect(lstatExists(join(root, gone)), gone).toBe(false);
      }
    });
  });

  // electron-builder's deb and rpm targets refuse to build without a homepage and a maintainer
  // (linux.maintainer or an author with an email). The project has no public home yet, so the
  // package names none (an invented URL would be wrong) and the packaging README says how to give it.
  it('has the package metadata electron-builder needs for deb and rpm once the homepage is given at build time', () => {
    expect(missingFpmMetadata()).toEqual(['"homepage"']);
    expect(missingFpmMetadata({ homepage: 'https://posture.example.com' })).toEqual([]);
    expect(readFileSync(join(ROOT, 'packaging/README.md'), 'utf8')).toContain('-c.extraMetadata.homepage=');
  });

  it('is licensed Apache-2.0, with the licence text at the root', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license?: string };
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
  });
});

function missingFpmMetadata(atBuildTime: { homepage?: string } = {}): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { homepage?: string; author?: { email?: string } | string };
  const metadata: typeof pkg = { ...pkg, ...(config.extraMetadata as object), ...atBuildTime };
  const author = metadata.author;
  const maintainer = Boolean(config.linux?.maintainer) || (typeof author === 'object' && Boolean(author.email)) || (typeof author === 'string' && author.includes('<'));
  return [...(metadata.homepage ? [] : ['"homepage"']), ...(maintainer ? [] : ['"author" with an email'])];
}

function lstatExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
