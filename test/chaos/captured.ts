import { expect } from 'vitest';
import type { ChaosCase } from './matrix.js';

/**
 * Every byte a chaos file captured (processes' stdout and stderr, log lines, error messages,
 * /healthz bodies) and the test secrets none of them may contain.
 */
export class Captured {
  private readonly texts: { source: string; text: string }[] = [];
  private readonly secrets: { name: string; value: string }[] = [];

  add(source: string, text: string): void {
    if (text) this.texts.push({ source, text });
  }

  secret(name: string, value: string): void {
    if (value.length >= 8) this.secrets.push({ name, value });
  }

  /** An OCI API key: each line of its PEM body, and its fingerprint's hex digits. */
  ociKey(name: string, key: { privateKeyPem: string; fingerprint: string }): void {
    const body = key.privateKeyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
    for (const [i, line] of body.entries()) this.secret(`${name} PEM line ${i + 1}`, line);
    this.secret(`${name} fingerprint`, key.fingerprint);
    this.secret(`${name} fingerprint digits`, key.fingerprint.replaceAll(':', ''));
  }

  get bytes(): number {
    return this.texts.reduce((sum, t) => sum + Buffer.byteLength(t.text), 0);
  }

  get secretCount(): number {
    return this.secrets.length;
  }

  /** Where a secret shows, as "source: secret name"; empty when none does. */
  leaks(): string[] {
    const found: string[] = [];
    for (const { source, text } of this.texts) {
      for (const { name, value } of this.secrets) if (text.includes(value)) found.push(`${source}: ${name}`);
    }
    return found;
  }
}

/**
 * The matrix's last case in each file: every byte that file captured, scanned for every test
 * secret it handed out (Slack tokens and signing secret, each OCI key's PEM lines and fingerprint).
 */
export function secretsCase<R>(captured: Captured): ChaosCase<R> {
  return {
    group: 'secrets',
    name: 'no secret in anything captured',
    fault: 'every log line, stderr, error message, Bolt answer and /healthz body the cases captured',
    expected: 'none holds a test secret',
    async run() {
      expect(captured.secretCount).toBeGreaterThan(0);
      expect(captured.bytes).toBeGreaterThan(0);
      expect(captured.leaks()).toEqual([]);
      return undefined;
    },
  };
}
