import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvSchema } from '../src/config.js';
import {
  DEMO_LIFECYCLE,
  Lifecycle,
  Scenario,
  ScenarioCompartment,
  ScenarioEvent,
  ScenarioFault,
  ScenarioInstance,
} from '../src/sim/oci/scenario.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const documented = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]));

describe('README configuration reference', () => {
  it('documents every setting the schema reads, and none it does not', () => {
    expect([...documented].sort()).toEqual(Object.keys(EnvSchema.shape).sort());
  });

  it('gives the two quick-start commands', () => {
    expect(readme).toContain('npm install && npm run demo');
    expect(readme).toMatch(/^npm test\b/m);
  });
});

describe('README scenario file reference', () => {
  const section = readme.slice(
    readme.indexOf('The scenario file'),
    readme.indexOf('`--lifecycle realistic`'),
  );
  const rows = [...section.matchAll(/^\| `([a-zA-Z[\].]+)` \|/gm)].map((m) => m[1]);

  it("documents every field of the simulator's scenario schema, and none it does not have", () => {
    const fields = (prefix: string, shape: object) => Object.keys(shape).map((key) => `${prefix}${key}`);
    const lists = ['tenancy', 'compartments', 'instances', 'events', 'lifecycle'];
    const scalars = Object.keys(Scenario.shape).filter((key) => !lists.includes(key));
    expect(rows.sort()).toEqual(
      [
        ...scalars,
        ...fields('tenancy.', Scenario.shape.tenancy.shape),
        ...fields('compartments[].', ScenarioCompartment.shape),
        ...fields('instances[].', ScenarioInstance.shape),
        ...fields('events[].', ScenarioEvent.shape).filter((name) => name !== 'events[].faults'),
        ...fields('events[].faults[].', ScenarioFault.shape),
        ...fields('lifecycle.', Lifecycle.shape),
      ].sort(),
    );
  });

  it('gives the default lifecycle durations the simulator uses', () => {
    const defaults = Object.fromEntries(
      [...section.matchAll(/^\| `lifecycle\.(\w+)` \| `([^`]+)` \|/gm)].map((m) => [m[1], m[2]]),
    );
    expect(Lifecycle.parse(defaults)).toEqual(DEMO_LIFECYCLE);
  });
});
