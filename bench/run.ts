/**
 * `npm run bench [name…]`: runs every bench/*.bench.ts (or the named ones) in its own process,
 * so one benchmark's memory does not show in the next one's peak RSS.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const suites = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.includes(file.replace('.bench.ts', '')));

if (suites.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(', ')}\n`);
  process.exit(1);
}
for (const file of suites) {
  await execa('npx', ['tsx', `${dir}${file}`], { stdio: 'inherit' });
}
