import type { z } from 'zod';
import { readIfExists } from './atomic-file.js';
import { StoreFileError } from './job-store.js';

/**
 * A small JSON file kept beside the state file (the pause, the terminate requests), read and
 * checked against `schema`; undefined when there is none. A file that cannot be trusted stops
 * start-up with what is wrong (`what` names it), rather than being taken as empty.
 */
export async function readSideFile<T>(
  path: string,
  schema: z.ZodType<T>,
  what: string,
  invalid: string,
): Promise<T | undefined> {
  let text: string | undefined;
  try {
    text = await readIfExists(path);
  } catch (error) {
    throw new StoreFileError(path, `cannot read the ${what} (${(error as Error).message})`);
  }
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StoreFileError(path, `the ${what} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new StoreFileError(path, invalid);
  return parsed.data;
}
