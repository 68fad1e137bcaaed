/** Prints one benchmark's figures as an aligned table under a title. */
export function report(title: string, figures: Record<string, string | number>): void {
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`);
  for (const [name, value] of Object.entries(figures)) {
    process.stdout.write(
      `  ${name.padEnd(width)}  ${typeof value === 'number' ? value.toLocaleString('en-US') : value}\n`,
    );
  }
}

export const peakRssMiB = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
