import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ApiKey } from './signature.js';

export interface SimCredentials extends ApiKey {
  tenancy: string;
  user: string;
  fingerprint: string;
  privateKeyPem: string;
}

/** A fresh RSA API key for the simulator's one user, fingerprinted as OCI does (MD5 of the DER). */
export function createCredentials(tenancy: string, user: string): SimCredentials {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return credentialsFor(tenancy, user, privateKeyPem);
}

export function credentialsFor(tenancy: string, user: string, privateKeyPem: string): SimCredentials {
  const publicKey = createPublicKey(createPrivateKey(privateKeyPem));
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const fingerprint = createHash('md5').update(der).digest('hex').match(/../g)!.join(':');
  return { tenancy, user, fingerprint, privateKeyPem, publicKey, keyId: `${tenancy}/${user}/${fingerprint}` };
}

/**
 * Writes `DIR/config` (profile DEFAULT) and `DIR/key.pem`, which the SDK's
 * ConfigFileAuthenticationDetailsProvider reads. Returns the config file's path.
 */
export function writeOciConfig(dir: string, credentials: SimCredentials, region: string): string {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const keyFile = join(root, 'key.pem');
  writeFileSync(keyFile, credentials.privateKeyPem, { mode: 0o600 });
  const configFile = join(root, 'config');
  writeFileSync(
    configFile,
    [
      '[DEFAULT]',
      `user=${credentials.user}`,
      `fingerprint=${credentials.fingerprint}`,
      `tenancy=${credentials.tenancy}`,
      `region=${region}`,
      `key_file=${keyFile}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return configFile;
}
