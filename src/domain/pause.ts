import { z } from 'zod';

/** Set while no new job starts (running ones finish): who paused, why, and when. */
export const PauseState = z.object({ by: z.string().min(1), reason: z.string(), at: z.string() });
export type PauseState = z.infer<typeof PauseState>;
