#!/usr/bin/env node
// Runs the TypeScript sources in a checkout with dev dependencies (tsx), else the build
// (the container, or a production-only install after `npm run build`).
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
const build = new URL('../dist/src/cli.js', import.meta.url);

async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

const loader = existsSync(source) ? await tsx() : undefined;
if (loader) {
  loader.register();
  await import(source.href);
} else if (existsSync(build)) {
  await import(build.href);
} else {
  process.stderr.write(
    'pitstop: neither tsx (a dev dependency) nor a build is here: run `npm install` or `npm run build`\n',
  );
  process.exit(1);
}
