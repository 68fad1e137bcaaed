/**
 * `npm run bench [name…]`: runs every bench/*.bench.ts (or the named ones) in its own process,
 * so one benchmark's memory does not show in the next one's peak RSS. A name also runs its
 * parts: `slack` runs slack.bench.ts and slack-clicks.bench.ts.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const suites = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => {
    const name = file.replace('.bench.ts', '');
    return wanted.length === 0 || wanted.some((w) => name === w || name.startsWith(`${w}-`));
  });

if (suites.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(', ')}\n`);
  process.exit(1);
}
for (const file of suites) {
  await execa('npx', ['tsx', `${dir}${file}`], { stdio: 'inherit' });
}
