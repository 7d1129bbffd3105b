/**
 * Device certificates at real gateways: nginx and Caddy terminating TLS on localhost with a server
 * certificate of a test CA, asking for a client certificate of the policy service's device CA
 * (verified if given), and asking the service on every request with the certificate they saw; and
 * Debian's Chromium whose NSS database is the one the agent wrote, with an
 * AutoSelectCertificateForUrls policy so no certificate picker appears. The gateway configurations
 * are the ones docs/gateways.md shows.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium } from './chromium.js';
import { CADDY, NGINX, freePort, running, type RunningGateway } from './proxies.js';

const run = promisify(execFile);
const OPENSSL = '/usr/bin/openssl';
const POLICY_DIR = '/etc/chromium/policies/managed';

export interface ServerTls {
  dir: string;
  /** The test CA that signed the gateways' server certificate (browsers and curl trust it). */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A CA and a server certificate for localhost and 127.0.0.1, made with openssl. */
export async function makeServerTls(): Promise<ServerTls> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-server-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run(OPENSSL, args, { cwd: dir });
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('ca.key'));
  await openssl('req', '-x509', '-new', '-key', file('ca.key'), '-sha256', '-days', '2', '-subj', `/CN=posture test server CA ${process.pid}`,
    '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file('ca.pem'));
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('server.key'));
  await openssl('req', '-new', '-key', file('server.key'), '-subj', '/CN=localhost', '-out', file('server.csr'));
  await writeFile(file('server.ext'), 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-sha256',
    '-extfile', file('server.ext'), '-out', file('server.pem'));
  return { dir, caFile: file('ca.pem'), certFile: file('server.pem'), keyFile: file('server.key') };
}

export interface MtlsGatewayOptions {
  servicePort: number;
  upstreamPort: number;
  tier: string;
  gatewayKey: string;
  tls: ServerTls;
  /** The device CA bundle (GET /v1/ca.pem), saved to a file. */
  deviceCaFile: string;
}

/** nginx: TLS, a device certificate verified if given, auth_request with it, the service's page on denial. */
export function nginxMtlsConfig(options: MtlsGatewayOptions & { listenPort: number; dir: string }): string {
  const { dir, tls } = options;
  const askService = `
            proxy_set_header X-Posture-Client-Cert $ssl_client_escaped_cert;
            proxy_set_header X-Posture-Gateway-Key "${options.gatewayKey}";
            proxy_set_header X-Posture-Token "";
            proxy_set_header Authorization "";
            proxy_http_version 1.1;
            proxy_set_header Connection "";`;
  return `# Test instance: foreground, one process, every file under ${dir}.
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} notice;

events {
    worker_connections 256;
}

http {
    access_log ${join(dir, 'access.log')};
    client_body_temp_path ${join(dir, 'tmp/client_body')};
    proxy_temp_path ${join(dir, 'tmp/proxy')};
    fastcgi_temp_path ${join(dir, 'tmp/fastcgi')};
    uwsgi_temp_path ${join(dir, 'tmp/uwsgi')};
    scgi_temp_path ${join(dir, 'tmp/scgi')};

    upstream posture_service {
        server 127.0.0.1:${options.servicePort};
        keepalive 16;
    }

    upstream app {
        server 127.0.0.1:${options.upstreamPort};
    }

    server {
        listen 127.0.0.1:${options.listenPort} ssl;
        server_name localhost;
        ssl_certificate ${tls.certFile};
        ssl_certificate_key ${tls.keyFile};
        # Device certificates: asked for, verified against the service's device CA when given.
        ssl_client_certificate ${options.deviceCaFile};
        ssl_verify_client optional;
        ssl_verify_depth 1;

        location / {
            auth_request /_posture;
            auth_request_set $posture_device $upstream_http_x_posture_device;
            error_page 401 403 = @posture_denied;
            proxy_set_header Host $host;
            proxy_set_header X-Posture-Device $posture_device;
            proxy_pass http://app;
        }

        location = /_posture {
            internal;
            proxy_pass http://posture_service/v1/authz?tier=${options.tier};
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";${askService}
        }

        # A denied browser gets the service's page saying why and how to fix it.
        location @posture_denied {
            rewrite ^ /v1/authz/${options.tier} break;
            proxy_method GET;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";${askService}
            proxy_pass http://posture_service;
        }
    }
}
`;
}

/** Caddy: TLS, a device certificate verified if given, forward_auth with it (its denial page passes through). */
export function caddyMtlsConfig(options: MtlsGatewayOptions & { listenPort: number; dir: string }): string {
  const { tls } = options;
  return `# Test instance: no admin endpoint, state under ${options.dir}.
{
	admin off
	auto_https disable_redirects
	storage file_system ${join(options.dir, 'storage')}
}

https://localhost:${options.listenPort} {
	bind 127.0.0.1
	tls ${tls.certFile} ${tls.keyFile} {
		client_auth {
			mode verify_if_given
			trusted_ca_cert_file ${options.deviceCaFile}
		}
	}
	forward_auth 127.0.0.1:${options.servicePort} {
		uri /v1/authz?tier=${options.tier}
		header_up X-Posture-Client-Cert {http.request.tls.client.certificate_der_base64}
		header_up X-Posture-Gateway-Key "${options.gatewayKey}"
		header_up -X-Posture-Token
		header_up -Authorization
		copy_headers X-Posture-Device
	}
	reverse_proxy 127.0.0.1:${options.upstreamPort}
}
`;
}

export async function startMtlsNginx(options: MtlsGatewayOptions): Promise<RunningGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-nginx-mtls-'));
  await mkdir(join(dir, 'tmp'));
  const port = await freePort();
  const config = join(dir, 'nginx.conf');
  await writeFile(config, nginxMtlsConfig({ ...options, listenPort: port, dir }));
  const child = spawn(NGINX, ['-p', dir, '-c', config, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { ...(await running('nginx', child, dir, config, port, () => readFile(join(dir, 'error.log'), 'utf8').catch(() => ''))), url: `https://localhost:${port}` };
}

export async function startMtlsCaddy(options: MtlsGatewayOptions): Promise<RunningGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-caddy-mtls-'));
  const port = await freePort();
  const config = join(dir, 'Caddyfile');
  await writeFile(config, caddyMtlsConfig({ ...options, listenPort: port, dir }));
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
  const child = spawn(CADDY, ['run', '--config', config, '--adapter', 'caddyfile'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  return { ...(await running('caddy', child, dir, config, port, () => Promise.resolve(''))), url: `https://localhost:${port}` };
}

export interface CertificateBrowser {
  context: BrowserContext;
  /** Loads `url`; the status and the page's text. */
  open(url: string): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

/**
 * Debian's Chromium for a user whose home holds `~/.pki/nssdb` (the agent's NSS database), with a
 * managed AutoSelectCertificateForUrls policy for `origins` and the device CA's `issuerCn`, as an
 * MDM would push it (docs/deployment.md). The policy file names this test run and is removed on close.
 */
export async function launchCertificateBrowser(options: { home: string; origins: readonly string[]; issuerCn: string }): Promise<CertificateBrowser> {
  await ensureChromium();
  await mkdir(POLICY_DIR, { recursive: true });
  const policyFile = join(POLICY_DIR, `posture-agent-test-${process.pid}-${Date.now()}.json`);
  const rules = options.origins.map((pattern) => JSON.stringify({ pattern, filter: { ISSUER: { CN: options.issuerCn } } }));
  await writeFile(policyFile, JSON.stringify({ AutoSelectCertificateForUrls: rules }));
  const profile = await mkdtemp(join(tmpdir(), 'posture-chromium-profile-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      env: { ...process.env, HOME: options.home },
    });
  } catch (error) {
    await rm(policyFile, { force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    async open(url) {
      const response = await page.goto(url, { timeout: 15_000 });
      return { status: response?.status() ?? 0, text: await page.innerText('body') };
    },
    async close() {
      await context.close();
      await rm(policyFile, { force: true });
      await rm(profile, { recursive: true, force: true });
    },
  };
}
