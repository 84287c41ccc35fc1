import { z } from 'zod';

/**
 * Time in store (#16 item 6): how long recognised visits lasted, from the first sighting to the
 * last (presence refreshes extend a visit), for the visits that converted and those that did not.
 */
const group = z.object({
  visits: z.number().int().nonnegative(),
  /** median minutes (one decimal); null when there was no such visit */
  medianMinutes: z.number().nonnegative().nullable(),
});
export const dwellStats = z.object({ converted: group, notConverted: group });
export type DwellStats = z.infer<typeof dwellStats>;
