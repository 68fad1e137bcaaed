import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFaultFlag } from '../../../src/sim/oci/faults.js';
import { generateScenario, parseFleetSize } from '../../../src/sim/oci/generate.js';
import { decodePageToken, encodePageToken } from '../../../src/sim/oci/page-token.js';
import { readScenario, resolveTime } from '../../../src/sim/oci/scenario.js';
import { parseRawQuery } from '../../../src/sim/oci/server.js';

const now = new Date('2026-05-01T00:00:00Z');

function depth(compartments: { id: string; parentId?: string }[], id: string): number {
  const parent = compartments.find((c) => c.id === id)?.parentId;
  return parent ? 1 + depth(compartments, parent) : 1;
}

describe('generated fleets', () => {
  it('has the requested size, nests compartments at least three deep, and repeats with its seed', () => {
    const fleet = generateScenario({ compartments: 40, instances: 200, events: 50 }, 42, now);
    expect([fleet.compartments.length, fleet.instances.length, fleet.events.length]).toEqual([40, 200, 50]);
    expect(
      Math.max(...fleet.compartments.map((c) => depth(fleet.compartments, c.id))),
    ).toBeGreaterThanOrEqual(3);
    expect(new Set(fleet.events.map((e) => e.instanceId)).size).toBe(50);
    expect(fleet.instances.every((i) => i.shape.startsWith('BM.GPU'))).toBe(true);
    expect(fleet.events.some((e) => e.faults.some((f) => f.faultId === 'HPCRDMA-0002-02'))).toBe(true);
    expect(generateScenario({ compartments: 40, instances: 200, events: 50 }, 42, now)).toEqual(fleet);
    expect(generateScenario({ compartments: 40, instances: 200, events: 50 }, 43, now)).not.toEqual(fleet);
  });

  it('reads the --generate spec and refuses nonsense', () => {
    expect(parseFleetSize('compartments=5,instances=10,events=3')).toEqual({
      compartments: 5,
      instances: 10,
      events: 3,
    });
    expect(() => parseFleetSize('compartments=five')).toThrow(/compartments=five/);
    expect(() => parseFleetSize('instances=2,events=3')).toThrow(/at least as many instances/);
  });
});

describe('scenario files', () => {
  const write = (content: unknown) => {
    const file = join(mkdtempSync(join(tmpdir(), 'pitstop-scenario-')), 'scenario.json');
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  it('names the field that is wrong', () => {
    const file = write({
      tenancy: { id: 'ocid1.tenancy.oc1..aaaa' },
      events: [
        { id: 'ocid1.instancemaintenanceevent.oc1.iad.x', instanceId: 'i', timeWindowStart: 'tomorrow' },
      ],
    });
    expect(() => readScenario(file)).toThrow(/events\.0\.timeWindowStart/);
  });

  it('refuses references to things it does not hold', () => {
    const file = write({
      tenancy: { id: 'ocid1.tenancy.oc1..aaaa' },
      instances: [
        {
          id: 'ocid1.instance.oc1.iad.x',
          compartmentId: 'ocid1.compartment.oc1..nope',
          displayName: 'g',
          privateIp: '10.0.0.1',
        },
      ],
    });
    expect(() => readScenario(file)).toThrow(/unknown compartmentId ocid1.compartment.oc1..nope/);
  });

  it('says when the file is not JSON', () => {
    expect(() => readScenario(write('{'))).toThrow(/not readable JSON/);
  });
});

describe('page tokens and raw queries', () => {
  it('are opaque, carry + / and =, and belong to one listing', () => {
    const token = encodePageToken(200, 'events/c1');
    expect(token).toMatch(/\+/);
    expect(token).toMatch(/\//);
    expect(token).toMatch(/=$/);
    expect(decodePageToken(token, 'events/c1')).toBe(200);
    expect(decodePageToken(token, 'events/c2')).toBeUndefined();
    // What a form decoder would hand over: "+" turned into a space.
    expect(decodePageToken(token.replaceAll('+', ' '), 'events/c1')).toBeUndefined();
  });

  it('keeps + in raw query values, decodes %XX, and splits on the first = only', () => {
    const query = parseRawQuery('compartmentId=ocid1.compartment.oc1..x&page=+/+/MTA=&name=a%20b');
    expect(query.get('page')).toBe('+/+/MTA=');
    expect(query.get('name')).toBe('a b');
    expect(new URLSearchParams('page=+/+/MTA=').get('page')).toBe(' / /MTA=');
  });
});

describe('--fault flags', () => {
  it('reads each kind', () => {
    expect(parseFaultFlag('*:latency=20ms')).toEqual({ operation: '*', spec: { latencyMs: 20 } });
    expect(parseFaultFlag('listCompartments:429=0.25')).toEqual({
      operation: 'listCompartments',
      spec: { throttleRate: 0.25 },
    });
    expect(parseFaultFlag('getWorkRequest:5xx=1')).toEqual({
      operation: 'getWorkRequest',
      spec: { errorRate: 1 },
    });
    expect(parseFaultFlag('getInstance:timeout=0.1')).toEqual({
      operation: 'getInstance',
      spec: { timeoutRate: 0.1 },
    });
    expect(parseFaultFlag('updateInstanceMaintenanceEvent:drop=0.5')).toEqual({
      operation: 'updateInstanceMaintenanceEvent',
      spec: { dropRate: 0.5 },
    });
    expect(parseFaultFlag('*:retry-after=3')).toEqual({ operation: '*', spec: { retryAfterSeconds: 3 } });
  });

  it('refuses what it cannot read', () => {
    expect(() => parseFaultFlag('listCompartments:429=2')).toThrow(/between 0 and 1/);
    expect(() => parseFaultFlag('oops')).toThrow(/OPERATION:KIND=VALUE/);
  });
});

describe('the demo scenario', () => {
  it('is valid and resolves its relative times from the start', () => {
    const file = new URL('../../../src/sim/oci/scenarios/demo.json', import.meta.url).pathname;
    const scenario = readScenario(file);
    expect(scenario.events.map((e) => e.timeWindowStart)).toEqual(['+2d', '+1h', '+3d']);
    expect(resolveTime('+1h', now)).toBe('2026-05-01T01:00:00.000Z');
    expect(resolveTime('-90s', now)).toBe('2026-04-30T23:58:30.000Z');
    expect(resolveTime('2026-06-01T00:00:00+02:00', now)).toBe('2026-05-31T22:00:00.000Z');
  });
});
