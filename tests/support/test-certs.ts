import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-files.ts';

/** A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
export type TestPki = {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Another CA, to prove a wrong certificate-authority is refused. */
  otherCa: string;
};

export function makeTestPki(): TestPki {
  const dir = tempDir();
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) =>
    ssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.crt`),
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
    );
  const leaf = (name: string, ext: string) => {
    ssl(
      'req',
      ...ec,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    );
    writeFileSync(f(`${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
    );
  };
  ca('ca');
  ca('other');
  leaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  const read = (name: string) => readFileSync(f(name), 'utf8');
  return {
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    otherCa: read('other.crt'),
  };
}
