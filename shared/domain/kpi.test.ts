import { describe, expect, it } from 'vitest';
import {
  addCounts,
  change,
  claimConversion,
  emptyCounts,
  fenRatio,
  kpiRatios,
  ratio,
  type KpiCounts,
} from './kpi';

const day: KpiCounts = {
  footfall: 120,
  recognizedVisits: 16,
  alerts: 16,
  claimedAlerts: 12,
  convertedVisits: 6,
  orders: 30,
  units: 75,
  revenue: 1_234_567,
};

describe('store KPIs', () => {
  it('follows the industry definitions', () => {
    expect(kpiRatios(day)).toEqual({
      conversionRate: 0.25, // 30 orders / 120 visitors
      recognizedConversion: 0.375, // 6 / 16
      atv: 41_152, // 1,234,567 / 30 = 41,152.23 fen
      upt: 2.5, // 75 / 30
      salesPerVisitor: 10_288, // 1,234,567 / 120 = 10,288.06 fen
    });
  });

  it('gives null, never NaN or Infinity, when a denominator is zero', () => {
    expect(kpiRatios(emptyCounts())).toEqual({
      conversionRate: null,
      recognizedConversion: null,
      atv: null,
      upt: null,
      salesPerVisitor: null,
    });
    // Sales recorded while the door counter was down: conversion is unknown, not infinite.
    expect(kpiRatios({ ...emptyCounts(), orders: 2, units: 3, revenue: 500 })).toEqual({
      conversionRate: null,
      recognizedConversion: null,
      atv: 250,
      upt: 1.5,
      salesPerVisitor: null,
    });
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(Number.NaN, 2)).toBeNull();
    expect(fenRatio(5, 0)).toBeNull();
    expect(claimConversion({ convertedVisits: 0, claimedAlerts: 0 })).toBeNull();
  });

  it('keeps a real zero distinct from "no value"', () => {
    expect(kpiRatios({ ...emptyCounts(), footfall: 40 }).conversionRate).toBe(0);
    expect(claimConversion({ convertedVisits: 0, claimedAlerts: 4 })).toBe(0);
    expect(claimConversion({ convertedVisits: 3, claimedAlerts: 4 })).toBe(0.75);
  });

  it('rounds money ratios to whole fen, half away from zero', () => {
    expect(fenRatio(10, 4)).toBe(3); // 2.5
    expect(fenRatio(5_000, 7)).toBe(714);
    expect(fenRatio(128_999, 5)).toBe(25_800);
  });

  it('sums counts so period ratios come from the sums, not from averaging ratios', () => {
    const quiet: KpiCounts = { ...emptyCounts(), footfall: 10, orders: 5, units: 5, revenue: 500 };
    const busy: KpiCounts = {
      ...emptyCounts(),
      footfall: 90,
      orders: 5,
      units: 15,
      revenue: 9_500,
    };
    const total = addCounts(quiet, busy);
    expect(total).toEqual({
      ...emptyCounts(),
      footfall: 100,
      orders: 10,
      units: 20,
      revenue: 10_000,
    });
    expect(kpiRatios(total).conversionRate).toBe(0.1); // not (0.5 + 0.0556) / 2
    expect(addCounts(day, emptyCounts())).toEqual(day);
  });

  it('compares with a baseline as a fraction of change', () => {
    expect(change(120, 100)).toBeCloseTo(0.2);
    expect(change(80, 100)).toBeCloseTo(-0.2);
    expect(change(5, 0)).toBeNull();
    expect(change(null, 100)).toBeNull();
    expect(change(100, null)).toBeNull();
  });
});
