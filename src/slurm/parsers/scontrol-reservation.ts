import { Reservation } from '../../domain/reservation.js';
import { expandHostlist } from './hostlist.js';
import { fieldsOf, value } from './scontrol-node.js';
import { parseSlurmTime } from './slurm-time.js';

/**
 * `scontrol show reservation -o` (one reservation per line; "No reservations in the system" when
 * there are none). A reservation without nodes (licenses only) has `Nodes=(null)`. Throws, naming
 * the record, when one lacks its name, times or a readable node list.
 */
export function parseScontrolReservations(text: string): Reservation[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('ReservationName='))
    .map((record) => {
      try {
        const fields = fieldsOf(record);
        const nodes = value(fields, 'Nodes');
        return Reservation.parse({
          name: fields.get('ReservationName'),
          start: parseSlurmTime(value(fields, 'StartTime')),
          end: parseSlurmTime(value(fields, 'EndTime')),
          nodes: nodes ? expandHostlist(nodes) : [],
          state: value(fields, 'State'),
          users: value(fields, 'Users'),
          flags: (value(fields, 'Flags') ?? '').split(',').filter(Boolean),
        });
      } catch (error) {
        throw new Error(
          `cannot read scontrol's reservation record "${record.slice(0, 60)}…": ${(error as Error).message}`,
        );
      }
    });
}
