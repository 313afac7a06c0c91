// A self-signed certificate for 127.0.0.1, generated once per test process with openssl, so tests can
// run a loopback https server. An engine process trusts it through NODE_EXTRA_CA_CERTS (read at its
// start), which `caEnv()` gives for EngineClient's `env`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCert {
  key: Buffer;
  cert: Buffer;
  /** The certificate as a PEM file, for NODE_EXTRA_CA_CERTS. */
  certFile: string;
}

let made: TestCert | undefined;

export function testCert(): TestCert {
  if (made) return made;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    throw new Error(
      `The https tests need the openssl command to make a loopback certificate: ${(err as Error).message}`,
    );
  }
  made = { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile };
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return made;
}

/** The environment an engine process needs to trust the test certificate. */
export function caEnv(): NodeJS.ProcessEnv {
  return { NODE_EXTRA_CA_CERTS: testCert().certFile };
}
