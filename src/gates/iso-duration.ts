const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000];

/** An ISO 8601 duration of weeks, days and time (`PT1H30M`, `P1DT2H`) in ms; undefined when it is not one. */
export function isoDurationMs(text: string | undefined): number | undefined {
  const match = text ? ISO_DURATION.exec(text.trim()) : null;
  if (!match || text!.trim() === 'P' || text!.trim().endsWith('T')) return undefined;
  return match.slice(1).reduce((sum, part, i) => sum + (part ? Number(part) * UNIT_MS[i]! : 0), 0);
}
