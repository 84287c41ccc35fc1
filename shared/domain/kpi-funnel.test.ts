import { describe, expect, it } from 'vitest';
import { emptyCounts, funnel } from './kpi';

describe('store funnel', () => {
  it('shows how many are lost at each step, by hand-computed figures', () => {
    const steps = funnel({
      ...emptyCounts(),
      footfall: 200,
      recognizedVisits: 50,
      alerts: 40,
      claimedAlerts: 30,
      convertedVisits: 12,
    });
    expect(steps.map((s) => [s.key, s.value, s.drop])).toEqual([
      ['footfall', 200, null],
      ['recognizedVisits', 50, 150],
      ['alerts', 40, 10],
      ['claimedAlerts', 30, 10],
      ['convertedVisits', 12, 18],
    ]);
    expect(steps[1]!.dropRate).toBe(0.75);
    expect(steps[4]!.fromPrevious).toBe(0.4);
    expect(steps[4]!.ofFirst).toBe(0.06);
  });

  it('has no rates, never NaN or Infinity, on an empty day', () => {
    for (const step of funnel(emptyCounts())) {
      expect(step.value).toBe(0);
      expect(step.ofFirst).toBeNull();
      expect(step.fromPrevious).toBeNull();
      expect(step.dropRate).toBeNull();
    }
  });

  it('keeps a step that exceeds the one before it visible as a negative drop', () => {
    // The door counter missed people the Wi-Fi portal saw: show it, do not clamp it away.
    const [, recognized] = funnel({ ...emptyCounts(), footfall: 10, recognizedVisits: 12 });
    expect(recognized!.drop).toBe(-2);
    expect(recognized!.fromPrevious).toBe(1.2);
  });
});
