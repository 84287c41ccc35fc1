import { z } from 'zod';
import { isoDate, isoInstant, uuid } from './common';

export const statsQuery = z.object({ date: isoDate });

const counts = {
  footfall: z.number().int().nonnegative(),
  recognizedVisits: z.number().int().nonnegative(),
  alerts: z.number().int().nonnegative(),
  claimedAlerts: z.number().int().nonnegative(),
  convertedVisits: z.number().int().nonnegative(),
  orders: z.number().int().nonnegative(),
  units: z.number().int().nonnegative(),
  revenue: z.number().int().nonnegative(),
};
const ratios = {
  conversionRate: z.number().nullable(),
  recognizedConversion: z.number().nullable(),
  atv: z.number().nullable(),
  upt: z.number().nullable(),
  salesPerVisitor: z.number().nullable(),
};

export const hourStats = z.object({
  /** elapsed hours since store-local midnight (0…22/23/24 on DST days) */
  index: z.number().int().nonnegative(),
  start: isoInstant,
  /** store-local wall-clock label, e.g. "09:00" */
  label: z.string(),
  ...counts,
  ...ratios,
});
export type HourStats = z.infer<typeof hourStats>;

export const guideStats = z.object({
  guideId: uuid,
  name: z.string(),
  ...counts,
  ...ratios,
  /** converted visits ÷ claimed alerts */
  claimConversion: z.number().nullable(),
});
export type GuideStats = z.infer<typeof guideStats>;

export const dayStats = z.object({
  storeId: uuid,
  date: isoDate,
  timezone: z.string(),
  from: isoInstant,
  to: isoInstant,
  ...counts,
  ...ratios,
  byHour: z.array(hourStats),
  byGuide: z.array(guideStats),
});
export type DayStats = z.infer<typeof dayStats>;
