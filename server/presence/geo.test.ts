import { describe, expect, it } from 'vitest';
import { distanceMetres, nearestStoreContaining } from './geo';

describe('geofences', () => {
  it('measures a known distance (two points in Shanghai about 1.9 km apart)', () => {
    const d = distanceMetres({ lat: 31.2304, lng: 121.4737 }, { lat: 31.24, lng: 121.49 });
    expect(d).toBeGreaterThan(1800);
    expect(d).toBeLessThan(1950);
  });

  it('picks the nearest store whose fence contains the point, not just the nearest store', () => {
    const stores = [
      { id: 'near-small', lat: 31.2304, lng: 121.4737, radiusM: 50 },
      { id: 'farther-big', lat: 31.232, lng: 121.4737, radiusM: 500 },
      { id: 'farthest-big', lat: 31.234, lng: 121.4737, radiusM: 800 },
    ];
    // ~100 m north of near-small: outside its 50 m fence, inside both others.
    const point = { lat: 31.2313, lng: 121.4737 };
    expect(nearestStoreContaining(point, stores)?.id).toBe('farther-big');
    expect(nearestStoreContaining({ lat: 40, lng: 116 }, stores)).toBeNull();
  });
});
