import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvSchema } from '../src/config.js';

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
