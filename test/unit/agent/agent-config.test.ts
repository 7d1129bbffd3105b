/**
 * The agent's configuration layers (defaults < user file < environment < flags < managed file <
 * MDM plist / Group Policy registry key), on each OS, through a scripted Host. Every refusal must
 * name the place (file, registry key, environment variable, flag) and the key.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type ConfigLayer } from '../../../src/agent/config/agent-config.js';
import { loadAgentConfig, MANAGED_BUNDLE_ID, POLICIES_KEY, type LoadedConfig } from '../../../src/agent/config/load-config.js';
import { DARWIN_COMMANDS } from '../../../src/exec/commands-darwin.js';
import { WIN32_COMMANDS } from '../../../src/exec/commands-win32.js';
import { AgentError } from '../../../src/shared/errors.js';
import { createFakeHost, type CommandAnswer, type FakeHostScript } from '../../support/fake-host.js';

const USER_FILE = '/home/ada/.local/state/posture-agent/config.json';
const LINUX_MANAGED = '/etc/posture-agent/config.json';
const DARWIN_MANAGED = '/Library/Application Support/PostureAgent/config.json';
const DARWIN_PLIST = `/Library/Managed Preferences/${MANAGED_BUNDLE_ID}.plist`;
const WIN_PROGRAM_DATA = 'C:\\ProgramData';
const WIN_MANAGED = 'C:\\ProgramData\\PostureAgent\\config.json';
const WIN_USER_FILE = 'C:\\Users\\ada\\AppData\\Local\\PostureAgent\\config.json';

/** What `reg.exe query HKLM\SOFTWARE\Policies\PostureAgent` prints (CRLF, four-space columns). */
function regQuery(values: readonly (readonly [name: string, type: string, data: string])[]): CommandAnswer {
  const body = values.map(([name, type, data]) => `    ${name}    ${type}    ${data}`);
  return { stdout: ['', 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\PostureAgent', ...body, '', ''].join('\r\n'), stderr: '', exitCode: 0 };
}
/** reg.exe when the key does not exist: exit 1, an ERROR line on stderr, nothing on stdout. */
const REG_KEY_MISSING: CommandAnswer = { stdout: '', stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n', exitCode: 1 };
const REG_ACCESS_DENIED: CommandAnswer = { stdout: '', stderr: 'ERROR: Access is denied.\r\n', exitCode: 1 };

const json = (value: unknown): string => JSON.stringify(value, null, 2);

interface Scenario {
  platform: FakeHostScript['platform'];
  files?: FakeHostScript['files'];
  commands?: FakeHostScript['commands'];
  env?: Record<string, string | undefined>;
  flags?: Record<string, ConfigLayer>;
  userConfigFile?: string;
}

function load(scenario: Scenario): Promise<LoadedConfig> {
  const host = createFakeHost({ platform: scenario.platform, files: scenario.files ?? {}, commands: scenario.commands ?? {} });
  return loadAgentConfig({
    host,
    env: scenario.env ?? {},
    flags: scenario.flags ?? {},
    userConfigFile: scenario.userConfigFile ?? (scenario.platform === 'win32' ? WIN_USER_FILE : USER_FILE),
  });
}

/** The AgentError a load rejects with (fails the test if it resolves or throws something else). */
async function refusal(scenario: Scenario): Promise<AgentError> {
  const error: unknown = await load(scenario).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AgentError);
  return error as AgentError;
}

describe('loadAgentConfig: absent sources', () => {
  it('gives the defaults when no file, variable, flag, plist or registry key exists (Linux)', async () => {
    const loaded = await load({ platform: 'linux' });
    expect(loaded.config).toEqual(DEFAULT_CONFIG);
    expect(loaded.sources).toEqual([]);
    expect(loaded.files).toEqual([USER_FILE, LINUX_MANAGED]);
  });

  it('gives the defaults on macOS without running plutil when the managed plist does not exist', async () => {
    const host = createFakeHost({ platform: 'darwin', commands: { [DARWIN_COMMANDS.plutil]: { stdout: json({ logLevel: 'debug' }) } } });
    const loaded = await loadAgentConfig({ host, env: {}, flags: {}, userConfigFile: USER_FILE });
    expect(loaded.config).toEqual(DEFAULT_CONFIG);
    expect(host.calls).toEqual([]);
    expect(loaded.files).toEqual([USER_FILE, DARWIN_MANAGED, DARWIN_PLIST]);
  });

  it('treats a missing Group Policy key (reg.exe exit 1, ERROR on stderr) as no policy on Windows', async () => {
    const loaded = await load({ platform: 'win32', env: { ProgramData: WIN_PROGRAM_DATA }, commands: { [WIN32_COMMANDS.reg]: REG_KEY_MISSING } });
    expect(loaded.config).toEqual(DEFAULT_CONFIG);
    expect(loaded.sources).toEqual([]);
    expect(loaded.files).toEqual([WIN_USER_FILE, WIN_MANAGED]);
  });

  it('ignores empty environment variables', async () => {
    const loaded = await load({ platform: 'linux', env: { POSTURE_AGENT_LOG_LEVEL: '', POSTURE_AGENT_CHECK_INTERVAL: '' } });
    expect(loaded.config).toEqual(DEFAULT_CONFIG);
    expect(loaded.sources).toEqual([]);
  });
});

describe('loadAgentConfig: precedence on Linux', () => {
  it('layers defaults < user file < environment < flags < /etc/posture-agent/config.json', async () => {
    const loaded = await load({
      platform: 'linux',
      files: {
        [USER_FILE]: json({
          serviceUrl: 'https://user.example.com/',
          enrollmentToken: 'user-token-123',
          checkIntervalSeconds: 100,
          resultAudience: 'user-audience',
          logLevel: 'debug',
          retryMaxSeconds: 900,
        }),
        [LINUX_MANAGED]: json({ logLevel: 'fatal', serviceUrl: 'https://managed.example.com' }),
      },
      env: {
        POSTURE_AGENT_CHECK_INTERVAL: '200',
        POSTURE_AGENT_RESULT_AUDIENCE: 'env-audience',
        POSTURE_AGENT_LOG_LEVEL: 'warn',
        POSTURE_AGENT_SERVICE_URL: 'https://env.example.com',
      },
      flags: { '--interval': { checkIntervalSeconds: 300 }, '--log-level': { logLevel: 'error' } },
    });
    expect(loaded.config).toEqual({
      ...DEFAULT_CONFIG,
      serviceUrl: 'https://managed.example.com', // managed beats environment and user file
      enrollmentToken: 'user-token-123', // only the user file set it
      checkIntervalSeconds: 300, // the flag beats environment and user file
      resultAudience: 'env-audience', // the environment beats the user file
      logLevel: 'fatal', // managed beats the flag
      retryMaxSeconds: 900,
    });
    expect(loaded.sources).toEqual([
      USER_FILE,
      'environment variable POSTURE_AGENT_SERVICE_URL',
      'environment variable POSTURE_AGENT_CHECK_INTERVAL',
      'environment variable POSTURE_AGENT_RESULT_AUDIENCE',
      'environment variable POSTURE_AGENT_LOG_LEVEL',
      '--interval',
      '--log-level',
      LINUX_MANAGED,
    ]);
  });

  it('lets the managed file beat a flag for the same key', async () => {
    const loaded = await load({
      platform: 'linux',
      files: { [LINUX_MANAGED]: json({ checkIntervalSeconds: 3600 }) },
      flags: { '--interval': { checkIntervalSeconds: 10 } },
    });
    expect(loaded.config.checkIntervalSeconds).toBe(3600);
  });

  it('reads numeric environment variables as numbers and strips the service URL\'s trailing slashes', async () => {
    const loaded = await load({ platform: 'linux', env: { POSTURE_AGENT_CHECK_INTERVAL: '45', POSTURE_AGENT_SERVICE_URL: 'http://127.0.0.1:8443//' } });
    expect(loaded.config.checkIntervalSeconds).toBe(45);
    expect(loaded.config.serviceUrl).toBe('http://127.0.0.1:8443');
  });

  it('reads the device certificate settings from the environment: true/false/1/0 and a comma or space separated list', async () => {
    const on = await load({ platform: 'linux', env: { POSTURE_AGENT_DEVICE_CERTIFICATE: '1', POSTURE_AGENT_CERTIFICATE_URLS: 'https://a.example.com, https://b.example.com' } });
    expect(on.config.deviceCertificate).toBe(true);
    expect(on.config.certificateUrls).toEqual(['https://a.example.com', 'https://b.example.com']);
    const off = await load({ platform: 'linux', files: { [USER_FILE]: json({ deviceCertificate: true }) }, env: { POSTURE_AGENT_DEVICE_CERTIFICATE: 'false' } });
    expect(off.config.deviceCertificate).toBe(false);
    const bad = await refusal({ platform: 'linux', env: { POSTURE_AGENT_DEVICE_CERTIFICATE: 'yes please' } });
    expect(bad.code).toBe('ERR_CONFIG_INVALID');
    expect(bad.message).toContain('POSTURE_AGENT_DEVICE_CERTIFICATE');
    expect(bad.message).toContain('deviceCertificate');
  });
});

describe('loadAgentConfig: precedence on macOS', () => {
  const plutilFor = (document: unknown): Record<string, CommandAnswer> => ({
    [`${DARWIN_COMMANDS.plutil} -convert json -o - ${DARWIN_PLIST}`]: { stdout: json(document) },
  });

  it('lets the MDM plist beat the managed JSON file, which beats flags, environment and user file', async () => {
    const loaded = await load({
      platform: 'darwin',
      files: {
        [USER_FILE]: json({ checkIntervalSeconds: 100, resultAudience: 'user-audience', logLevel: 'debug', enrollmentToken: 'user-token-123' }),
        [DARWIN_MANAGED]: json({ checkIntervalSeconds: 600, resultAudience: 'managed-file-audience' }),
        [DARWIN_PLIST]: '<?xml version="1.0"?><plist version="1.0"><dict/></plist>',
      },
      commands: plutilFor({ checkIntervalSeconds: 900, serviceUrl: 'https://mdm.example.com' }),
      env: { POSTURE_AGENT_LOG_LEVEL: 'warn' },
      flags: { '--interval': { checkIntervalSeconds: 30 }, '--audience': { resultAudience: 'flag-audience' } },
    });
    expect(loaded.config).toEqual({
      ...DEFAULT_CONFIG,
      checkIntervalSeconds: 900, // plist > managed JSON > flag > user file
      resultAudience: 'managed-file-audience', // managed JSON > flag > user file
      serviceUrl: 'https://mdm.example.com',
      logLevel: 'warn', // environment > user file
      enrollmentToken: 'user-token-123',
    });
    expect(loaded.sources).toEqual([USER_FILE, 'environment variable POSTURE_AGENT_LOG_LEVEL', '--interval', '--audience', DARWIN_MANAGED, DARWIN_PLIST]);
  });

  it('reads the device certificate settings from the MDM plist (a boolean and an array)', async () => {
    const loaded = await load({
      platform: 'darwin',
      files: { [DARWIN_PLIST]: '<?xml version="1.0"?><plist version="1.0"><dict/></plist>' },
      commands: plutilFor({ deviceCertificate: true, certificateUrls: ['https://app.example.com'] }),
    });
    expect(loaded.config.deviceCertificate).toBe(true);
    expect(loaded.config.certificateUrls).toEqual(['https://app.example.com']);
  });

  it('refuses a bad plist value naming the plist and the key', async () => {
    const error = await refusal({
      platform: 'darwin',
      files: { [DARWIN_PLIST]: '<plist/>' },
      commands: plutilFor({ logLevel: 'verbose' }),
    });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(DARWIN_PLIST);
    expect(error.message).toContain('logLevel');
    expect(error.message).toContain('"verbose"');
  });

  it('refuses a plist plutil cannot read, naming the plist', async () => {
    const error = await refusal({
      platform: 'darwin',
      files: { [DARWIN_PLIST]: 'not a plist' },
      commands: { [DARWIN_COMMANDS.plutil]: { stdout: '', stderr: 'Property List error: Unexpected character n at line 1', exitCode: 1 } },
    });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(DARWIN_PLIST);
    expect(error.message).toContain('Unexpected character');
  });
});

describe('loadAgentConfig: precedence on Windows', () => {
  it('lets the Group Policy key beat %ProgramData%\\PostureAgent\\config.json, which beats flags', async () => {
    const loaded = await load({
      platform: 'win32',
      env: { ProgramData: WIN_PROGRAM_DATA, POSTURE_AGENT_RESULT_AUDIENCE: 'env-audience' },
      files: {
        [WIN_USER_FILE]: json({ logLevel: 'debug', enrollmentToken: 'user-token-123' }),
        [WIN_MANAGED]: json({ checkIntervalSeconds: 600, logLevel: 'warn', serviceUrl: 'https://managed-file.example.com' }),
      },
      commands: {
        [`${WIN32_COMMANDS.reg} query ${POLICIES_KEY}`]: regQuery([
          ['CheckIntervalSeconds', 'REG_DWORD', '0x384'],
          ['ServiceUrl', 'REG_SZ', 'https://gpo.example.com'],
        ]),
      },
      flags: { '--interval': { checkIntervalSeconds: 30 }, '--log-level': { logLevel: 'error' } },
    });
    expect(loaded.config).toEqual({
      ...DEFAULT_CONFIG,
      checkIntervalSeconds: 900, // REG_DWORD 0x384 from the policy key
      serviceUrl: 'https://gpo.example.com', // registry > managed JSON
      logLevel: 'warn', // managed JSON > flag > user file
      resultAudience: 'env-audience',
      enrollmentToken: 'user-token-123',
    });
    expect(loaded.sources).toEqual([WIN_USER_FILE, 'environment variable POSTURE_AGENT_RESULT_AUDIENCE', '--interval', '--log-level', WIN_MANAGED, POLICIES_KEY]);
  });

  it('finds the managed file under the %ProgramData% the environment names', async () => {
    const loaded = await load({
      platform: 'win32',
      env: { ProgramData: 'D:\\ProgramData' },
      files: { 'D:\\ProgramData\\PostureAgent\\config.json': json({ resultAudience: 'from-d' }) },
      commands: { [WIN32_COMMANDS.reg]: REG_KEY_MISSING },
    });
    expect(loaded.config.resultAudience).toBe('from-d');
    expect(loaded.files).toContain('D:\\ProgramData\\PostureAgent\\config.json');
  });

  it('reads decimal REG_SZ numbers and string values by case-insensitive name', async () => {
    const loaded = await load({
      platform: 'win32',
      env: { ProgramData: WIN_PROGRAM_DATA },
      commands: {
        [WIN32_COMMANDS.reg]: regQuery([
          ['checkintervalseconds', 'REG_SZ', '120'],
          ['RESULTAUDIENCE', 'REG_SZ', 'gpo-audience'],
        ]),
      },
    });
    expect(loaded.config.checkIntervalSeconds).toBe(120);
    expect(loaded.config.resultAudience).toBe('gpo-audience');
  });

  it('reads the device certificate settings from Group Policy: a REG_DWORD 0/1 and a REG_MULTI_SZ of URLs', async () => {
    const loaded = await load({
      platform: 'win32',
      env: { ProgramData: WIN_PROGRAM_DATA },
      commands: {
        [WIN32_COMMANDS.reg]: regQuery([
          ['DeviceCertificate', 'REG_DWORD', '0x1'],
          ['CertificateUrls', 'REG_MULTI_SZ', 'https://a.example.com\\0https://b.example.com'],
        ]),
      },
    });
    expect(loaded.config.deviceCertificate).toBe(true);
    expect(loaded.config.certificateUrls).toEqual(['https://a.example.com', 'https://b.example.com']);
    const bad = await refusal({
      platform: 'win32',
      env: { ProgramData: WIN_PROGRAM_DATA },
      commands: { [WIN32_COMMANDS.reg]: regQuery([['DeviceCertificate', 'REG_DWORD', '0x2']]) },
    });
    expect(bad.message).toContain('deviceCertificate');
  });

  it('refuses a bad registry value naming the registry key and the setting', async () => {
    const error = await refusal({
      platform: 'win32',
      env: { ProgramData: WIN_PROGRAM_DATA },
      commands: { [WIN32_COMMANDS.reg]: regQuery([['LocalApiHost', 'REG_SZ', '0.0.0.0']]) },
    });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(POLICIES_KEY);
    expect(error.message).toContain('localApiHost');
    expect(error.message).toContain('"0.0.0.0"');
  });

  it('refuses a registry number out of range naming the registry key and the setting', async () => {
    const error = await refusal({
      platform: 'win32',
      env: { ProgramData: WIN_PROGRAM_DATA },
      commands: { [WIN32_COMMANDS.reg]: regQuery([['CheckIntervalSeconds', 'REG_DWORD', '0x0']]) },
    });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(POLICIES_KEY);
    expect(error.message).toContain('checkIntervalSeconds');
  });

  it('refuses a registry number that is not a number, rather than silently ignoring the policy', async () => {
    const error = await refusal({
      platform: 'win32',
      env: { ProgramData: WIN_PROGRAM_DATA },
      commands: { [WIN32_COMMANDS.reg]: regQuery([['CheckIntervalSeconds', 'REG_SZ', 'hourly']]) },
    });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(POLICIES_KEY);
    expect(error.message).toContain('checkIntervalSeconds');
  });

  it('refuses to start when the policy key cannot be read (access denied), naming the key', async () => {
    const error = await refusal({ platform: 'win32', env: { ProgramData: WIN_PROGRAM_DATA }, commands: { [WIN32_COMMANDS.reg]: REG_ACCESS_DENIED } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(POLICIES_KEY);
    expect(error.message).toMatch(/access is denied/i);
  });
});

describe('loadAgentConfig: refusals name the place and the key', () => {
  it('names the user file and the key for a bad value', async () => {
    const error = await refusal({ platform: 'linux', files: { [USER_FILE]: json({ checkIntervalSeconds: 0 }) } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(USER_FILE);
    expect(error.message).toContain('checkIntervalSeconds');
    expect(error.message).toContain('(got 0)');
  });

  it('names the managed file and the key for a bad value', async () => {
    const error = await refusal({ platform: 'linux', files: { [LINUX_MANAGED]: json({ serviceUrl: 'ftp://posture.example.com' }) } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(LINUX_MANAGED);
    expect(error.message).toContain('serviceUrl');
  });

  it('names the environment variable and the key for a bad value', async () => {
    const error = await refusal({ platform: 'linux', env: { POSTURE_AGENT_CHECK_INTERVAL: 'soon' } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain('environment variable POSTURE_AGENT_CHECK_INTERVAL');
    expect(error.message).toContain('checkIntervalSeconds');
    expect(error.message).toContain('"soon"');
  });

  it('names the flag and the key for a bad value', async () => {
    const error = await refusal({ platform: 'linux', flags: { '--log-level': { logLevel: 'loud' as ConfigLayer['logLevel'] } } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toMatch(/^--log-level: logLevel: /);
    expect(error.message).toContain('"loud"');
  });

  it('refuses a file that is not valid JSON, naming it', async () => {
    const error = await refusal({ platform: 'linux', files: { [USER_FILE]: '{ "logLevel": "debug", ' } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toBe(`${USER_FILE}: not valid JSON; fix or remove the file.`);
  });

  it('refuses a managed file that is not valid JSON, naming it', async () => {
    const error = await refusal({ platform: 'linux', files: { [LINUX_MANAGED]: 'logLevel=debug' } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(LINUX_MANAGED);
  });

  it('refuses a JSON file that is not an object of settings', async () => {
    const error = await refusal({ platform: 'linux', files: { [USER_FILE]: json(['logLevel', 'debug']) } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toBe(`${USER_FILE}: expected an object of settings.`);
  });

  it('refuses an unknown key, naming it and the file', async () => {
    const error = await refusal({ platform: 'linux', files: { [USER_FILE]: json({ logLevel: 'debug', checkInterval: 60 }) } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(USER_FILE);
    expect(error.message).toContain('checkInterval');
  });

  it('refuses a managed file it may not read, naming it', async () => {
    const error = await refusal({ platform: 'linux', files: { [LINUX_MANAGED]: { error: 'EACCES' } } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(LINUX_MANAGED);
    expect(error.message).toContain('permission denied');
  });

  it('refuses a user file it may not read with an access error naming it', async () => {
    const error = await refusal({ platform: 'linux', files: { [USER_FILE]: { error: 'EACCES' } } });
    expect(error.code).toBe('ERR_ACCESS_DENIED');
    expect(error.message).toContain(USER_FILE);
  });
});

describe('loadAgentConfig: the local API stays on loopback', () => {
  for (const host of ['0.0.0.0', '192.168.1.20', 'localhost', '::']) {
    it(`refuses localApiHost ${host}`, async () => {
      const error = await refusal({ platform: 'linux', files: { [USER_FILE]: json({ localApiHost: host }) } });
      expect(error.code).toBe('ERR_CONFIG_INVALID');
      expect(error.message).toContain(USER_FILE);
      expect(error.message).toContain('localApiHost');
      expect(error.message).toContain('loopback');
    });
  }

  it('accepts ::1 and a fixed port', async () => {
    const loaded = await load({ platform: 'linux', files: { [USER_FILE]: json({ localApiHost: '::1', localApiPort: 47_100 }) } });
    expect(loaded.config.localApiHost).toBe('::1');
    expect(loaded.config.localApiPort).toBe(47_100);
  });
});

describe('loadAgentConfig: retry bounds', () => {
  it('refuses retryMaxSeconds smaller than retryInitialSeconds', async () => {
    const error = await refusal({ platform: 'linux', files: { [USER_FILE]: json({ retryInitialSeconds: 60, retryMaxSeconds: 30 }) } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain('retryMaxSeconds (30)');
    expect(error.message).toContain('retryInitialSeconds (60)');
  });

  it('checks the bounds after merging: a managed initial above the user\'s maximum is refused', async () => {
    const error = await refusal({
      platform: 'linux',
      files: { [USER_FILE]: json({ retryMaxSeconds: 20 }), [LINUX_MANAGED]: json({ retryInitialSeconds: 40 }) },
    });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain('retryMaxSeconds (20)');
  });

  it('accepts equal bounds', async () => {
    const loaded = await load({ platform: 'linux', files: { [USER_FILE]: json({ retryInitialSeconds: 30, retryMaxSeconds: 30 }) } });
    expect(loaded.config.retryInitialSeconds).toBe(30);
    expect(loaded.config.retryMaxSeconds).toBe(30);
  });
});

describe('loadAgentConfig: secrets never reach a message', () => {
  const PASSWORD = 'hunter2-config-secret';
  const TOKEN = 'pet_shortbad';

  it('refuses a serviceUrl with credentials, naming the place and the key but not the password', async () => {
    const error = await refusal({ platform: 'linux', files: { [USER_FILE]: json({ serviceUrl: `https://ops:${PASSWORD}@posture.example.com` }) } });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(USER_FILE);
    expect(error.message).toContain('serviceUrl');
    expect(error.message).toContain('https://***@posture.example.com');
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toContain('ops');
  });

  it('masks the credentials of a serviceUrl that is not even a URL, from the environment too', async () => {
    const error = await refusal({ platform: 'linux', env: { POSTURE_AGENT_SERVICE_URL: `https://ops:${PASSWORD}@posture example.com` } });
    expect(error.message).toContain('environment variable POSTURE_AGENT_SERVICE_URL');
    expect(error.message).toContain('serviceUrl');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('leaves a token in the query of a serviceUrl out', async () => {
    const error = await refusal({ platform: 'linux', files: { [USER_FILE]: json({ serviceUrl: `https://posture.example.com/?token=${PASSWORD}` }) } });
    expect(error.message).toContain('serviceUrl');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('never repeats a bad enrolment token, from a file or the environment, but names where it came from', async () => {
    for (const scenario of [
      { platform: 'linux', files: { [USER_FILE]: json({ enrollmentToken: TOKEN.slice(0, 7) }) } },
      { platform: 'linux', env: { POSTURE_AGENT_ENROLLMENT_TOKEN: `${TOKEN}${'x'.repeat(600)}` } },
    ] satisfies Scenario[]) {
      const error = await refusal(scenario);
      expect(error.code).toBe('ERR_CONFIG_INVALID');
      expect(error.message).toContain('enrollmentToken');
      expect(error.message).toMatch(new RegExp(`${USER_FILE}|POSTURE_AGENT_ENROLLMENT_TOKEN`));
      expect(error.message).not.toContain(TOKEN.slice(0, 7));
    }
  });
});
