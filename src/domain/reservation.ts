import { z } from 'zod';
import { NodeName } from './node.js';

/** A Slurm reservation as `scontrol show reservation` shows it (times ISO, nodes expanded). */
export const Reservation = z.object({
  name: z.string().min(1),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  nodes: z.array(NodeName),
  /** ACTIVE or INACTIVE (not yet begun). */
  state: z.string().optional(),
  users: z.string().optional(),
  flags: z.array(z.string()),
});
export type Reservation = z.infer<typeof Reservation>;
