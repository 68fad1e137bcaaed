import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import common from 'oci-common';
import type { OciSettings } from '../../src/oci/auth.js';
import { OciCloud, type OciCloudOptions } from '../../src/oci/oci-cloud.js';
import type { SimCredentials } from '../../src/sim/oci/api-key.js';
import { Scenario, type ScenarioInput } from '../../src/sim/oci/scenario.js';
import { OciSimulator, type OciSimulatorOptions } from '../../src/sim/oci/server.js';

/** Retries fast enough for tests, still through the SDK's retrier. */
export const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50, requestTimeoutMs: 2_000 };

export interface Harness {
  sim: OciSimulator;
  cloud: OciCloud;
  settings: OciSettings;
  configFile: string;
}

/** A simulator on a free port, its config written, and the real SDK-backed adapter pointed at it. */
export async function startHarness(
  scenario: ScenarioInput,
  simOptions: Omit<OciSimulatorOptions, 'scenario'> = {},
  cloudOptions: OciCloudOptions & { settings?: Partial<OciSettings> } = {},
): Promise<Harness> {
  const sim = new OciSimulator({ ...simOptions, scenario: Scenario.parse(scenario) });
  await sim.start();
  const configFile = sim.writeOciConfig(mkdtempSync(join(tmpdir(), 'pitstop-oci-')));
  const settings: OciSettings = {
    auth: 'config_file',
    configFile,
    profile: 'DEFAULT',
    tenancy: undefined,
    region: undefined,
    endpoint: sim.endpoint,
    compartments: [],
    concurrency: 4,
    tag: 'pitstop',
    ...cloudOptions.settings,
  };
  const cloud = await OciCloud.create(settings, { retry: FAST_RETRY, ...cloudOptions });
  return { sim, cloud, settings, configFile };
}

export const TENANCY = 'ocid1.tenancy.oc1..aaaaaaaatesttenancy';
export const compartment = (name: string) => `ocid1.compartment.oc1..aaaaaaaa${name}`;
export const instance = (name: string) => `ocid1.instance.oc1.iad.aaaaaaaa${name}`;
export const event = (name: string) => `ocid1.instancemaintenanceevent.oc1.iad.aaaaaaaa${name}`;

/** An event on `instanceName`, its window a day after `now`. */
export function eventOn(
  name: string,
  instanceName: string,
  now: Date,
  extra: Partial<NonNullable<ScenarioInput['events']>[number]> = {},
) {
  return {
    id: event(name),
    instanceId: instance(instanceName),
    timeWindowStart: new Date(now.getTime() + 86_400_000).toISOString(),
    timeHardDueDate: new Date(now.getTime() + 14 * 86_400_000).toISOString(),
    ...extra,
  };
}

export function instanceIn(name: string, compartmentId: string, ip: string) {
  return { id: instance(name), compartmentId, displayName: name, privateIp: ip };
}

/** The SDK's own request signer for these credentials: requests signed exactly as the SDK signs them. */
export const sdkSigner = (credentials: SimCredentials) =>
  new common.DefaultRequestSigner(
    new common.SimpleAuthenticationDetailsProvider(
      TENANCY,
      credentials.user,
      credentials.fingerprint,
      credentials.privateKeyPem,
      null,
    ),
  );
