import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudError } from '../../../src/oci/errors.js';
import { OciCloud } from '../../../src/oci/oci-cloud.js';
import { createCredentials } from '../../../src/sim/oci/api-key.js';
import { signatureProblem } from '../../../src/sim/oci/signature.js';
import { FAST_RETRY, type Harness, sdkSigner, startHarness, TENANCY } from '../../oci/sim-fixture.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.sim.stop();
  harness = undefined;
});

describe('OCI simulator request signing', () => {
  it('accepts what the SDK signs with the key it wrote', async () => {
    harness = await startHarness({ tenancy: { id: TENANCY } });
    await harness.cloud.discoverEvents();
    expect(harness.sim.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('rejects an unsigned request with 401 NotAuthenticated in OCI error shape', async () => {
    harness = await startHarness({ tenancy: { id: TENANCY } });
    const response = await fetch(`${harness.sim.endpoint}/20160918/compartments?compartmentId=${TENANCY}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('opc-request-id')).toMatch(/^[0-9A-F]{32}$/);
    expect(await response.json()).toMatchObject({
      code: 'NotAuthenticated',
      message: expect.stringContaining('not signed'),
    });
  });

  it('rejects the SDK signing with another key (the fingerprint alone proves nothing)', async () => {
    harness = await startHarness({ tenancy: { id: TENANCY } });
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-oci-wrongkey-'));
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    writeFileSync(join(dir, 'key.pem'), otherKey);
    const config = readFileSync(harness.configFile, 'utf8').replace(
      /^key_file=.*$/m,
      `key_file=${join(dir, 'key.pem')}`,
    );
    writeFileSync(join(dir, 'config'), config);
    const impostor = await OciCloud.create(
      { ...harness.settings, configFile: join(dir, 'config') },
      { retry: FAST_RETRY },
    );

    const failure = await impostor.discoverEvents().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CloudError);
    expect((failure as CloudError).message).toContain('401 NotAuthenticated');
    expect((failure as CloudError).message).toContain('does not verify');
    // 401 is not retried.
    expect(harness.sim.requests.map((r) => r.status)).toEqual([401]);
  });

  it('verifies what the SDK signer signs, and nothing altered after signing', async () => {
    const credentials = createCredentials(TENANCY, 'ocid1.user.oc1..aaaaaaaatester');
    const signer = sdkSigner(credentials);
    const body = JSON.stringify({ timeWindowStart: '2026-03-01T10:00:00.000Z' });
    const target = '/20160918/instanceMaintenanceEvents/ocid1.instancemaintenanceevent.oc1.iad.x';
    const headers = new Headers({ 'content-type': 'application/json' });
    await signer.signHttpRequest({ method: 'PUT', uri: `http://127.0.0.1:9${target}`, headers, body });
    const request = (changes: Partial<Parameters<typeof signatureProblem>[0]> = {}) => ({
      method: 'PUT',
      rawTarget: target,
      headers: Object.fromEntries(headers.entries()),
      body: Buffer.from(body),
      ...changes,
    });

    expect(signatureProblem(request(), credentials)).toBeUndefined();
    expect(signatureProblem(request({ body: Buffer.from('{}') }), credentials)).toMatch(/x-content-sha256/);
    expect(signatureProblem(request({ rawTarget: `${target}y` }), credentials)).toMatch(/does not verify/);
    expect(signatureProblem(request({ method: 'POST' }), credentials)).toMatch(/does not verify/);
    expect(signatureProblem(request(), credentials, Date.now() + 10 * 60_000)).toMatch(/5 minutes/);
  });
});
