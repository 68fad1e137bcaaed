/**
 * Slurm prints times as `2026-11-25T18:00:52` in the controller's local time zone, without the
 * zone (SLURM_TIME_FORMAT=standard, which Pitstop sets for its commands). Pitstop reads them in
 * its own zone, so it must run in the controller's zone (both are UTC on OCI HPC images).
 * Returns ISO 8601, or undefined for Slurm's "no time" words.
 */
export function parseSlurmTime(text: string | undefined): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text?.trim() ?? '');
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(year, month - 1, day, hour, minute, second).toISOString();
}
