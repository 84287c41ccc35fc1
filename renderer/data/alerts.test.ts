import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import {
  applyAlertUpdate,
  newestOpenArrival,
  recentArrivals,
  storeAlert,
  withArrival,
} from './alerts';
import { freshDb, makeAlert } from './testing';
import { applyProductItems, findProductByCode } from './catalog';
import { activeGuides, replaceStaff, verifyGuidePin } from './staff';
import { makeGuide, makeProduct, testPinHash } from './testing';

describe('alerts cache', () => {
  it('an alert delivered twice is stored once and reported new once', async () => {
    const db = freshDb();
    const alert = makeAlert();
    expect((await storeAlert(db, alert)).kind).toBe('new');
    expect((await storeAlert(db, alert)).kind).toBe('unchanged');
    expect(await db.alerts.count()).toBe(1);
  });

  it('status only moves forward, whatever order updates arrive in', async () => {
    const db = freshDb();
    const alert = makeAlert();
    await storeAlert(db, alert);
    const guide = { guideId: newId(), name: '李娜' };
    const claimed = {
      alertId: alert.alertId,
      storeId: alert.storeId,
      status: 'claimed' as const,
      claimedBy: guide,
      claimedAt: '2026-11-02T10:01:00.000Z',
      convertedAt: null,
      orderId: null,
    };
    const converted = {
      ...claimed,
      status: 'converted' as const,
      convertedAt: '2026-11-02T10:09:00.000Z',
    };
    expect((await applyAlertUpdate(db, converted)).kind).toBe('updated');
    expect((await applyAlertUpdate(db, claimed)).kind).toBe('unchanged');
    // A catch-up copy still saying "open" does not reopen it either.
    expect((await storeAlert(db, alert)).kind).toBe('unchanged');
    expect(await db.alerts.get(alert.alertId)).toMatchObject({
      status: 'converted',
      claimedBy: guide,
    });
  });

  it('the latest sighting only moves forward, with or without a status change', async () => {
    const db = freshDb();
    const alert = makeAlert({ lastSeenAt: '2026-11-02T10:00:00.000Z' });
    await storeAlert(db, alert);
    const seen = (lastSeenAt: string) => ({
      alertId: alert.alertId,
      storeId: alert.storeId,
      status: 'open' as const,
      claimedBy: null,
      claimedAt: null,
      convertedAt: null,
      orderId: null,
      lastSeenAt,
    });
    expect((await applyAlertUpdate(db, seen('2026-11-02T10:06:00.000Z'))).kind).toBe('updated');
    expect((await applyAlertUpdate(db, seen('2026-11-02T10:03:00.000Z'))).kind).toBe('unchanged');
    expect((await storeAlert(db, alert)).kind).toBe('unchanged');
    const [stored] = await recentArrivals(db, new Date('2026-11-02T10:10:00.000Z'));
    expect(stored?.lastSeenAt).toBe('2026-11-02T10:06:00.000Z');
  });

  it('an announced alert folded into the list gives what a re-read gives', async () => {
    const db = freshDb();
    const at = new Date('2026-11-02T10:31:00Z');
    const stale = makeAlert({ at: '2026-11-01T20:00:00.000Z' }); // outside the 12 h window
    const older = makeAlert({ at: '2026-11-02T10:00:00.000Z' });
    const newer = makeAlert({ at: '2026-11-02T10:05:00.000Z' });
    await storeAlert(db, older);
    let list = await recentArrivals(db, at);
    for (const next of [newer, stale]) {
      const write = await storeAlert(db, next, at);
      if (write.kind === 'new' || write.kind === 'updated')
        list = withArrival(list, write.alert, at);
    }
    const claim = await applyAlertUpdate(db, {
      alertId: older.alertId,
      storeId: older.storeId,
      status: 'claimed',
      claimedBy: { guideId: newId(), name: '李娜' },
      claimedAt: '2026-11-02T10:06:00.000Z',
      convertedAt: null,
      orderId: null,
    });
    if (claim.kind === 'new' || claim.kind === 'updated') list = withArrival(list, claim.alert, at);
    expect(list).toEqual(await recentArrivals(db, at));
    expect(list.map((a) => [a.alertId, a.status])).toEqual([
      [newer.alertId, 'open'],
      [older.alertId, 'claimed'],
    ]);
  });

  it('lists recent arrivals newest first and finds the newest open, unexpired one', async () => {
    const db = freshDb();
    const older = makeAlert({ at: '2026-11-02T10:00:00.000Z' });
    const newer = makeAlert({
      at: '2026-11-02T10:05:00.000Z',
      expiresAt: '2026-11-02T10:35:00.000Z',
    });
    await storeAlert(db, older);
    await storeAlert(db, newer);
    const at = new Date('2026-11-02T10:31:00Z');
    expect((await recentArrivals(db, at)).map((a) => a.alertId)).toEqual([
      newer.alertId,
      older.alertId,
    ]);
    expect((await newestOpenArrival(db, at))?.alertId).toBe(newer.alertId);
    expect(await newestOpenArrival(db, new Date('2026-11-02T10:36:00Z'))).toBeNull();
  });
});

describe('catalog and staff cache', () => {
  it('finds a product by SKU or by scanned barcode', async () => {
    const db = freshDb();
    const coat = makeProduct({ sku: 'COAT-01', barcode: '6901234567890' });
    await applyProductItems(db, [coat, makeProduct()]);
    expect((await findProductByCode(db, 'COAT-01'))?.id).toBe(coat.id);
    expect((await findProductByCode(db, ' 6901234567890 '))?.id).toBe(coat.id);
    expect(await findProductByCode(db, 'nope')).toBeUndefined();
  });

  it('a guide signs in offline with the synced PIN hash; inactive guides cannot', async () => {
    const db = freshDb();
    const fang = makeGuide({ name: '王芳', pinHash: await testPinHash('1234') });
    const gone = makeGuide({
      name: '离职',
      active: false,
      pinHash: await testPinHash('1111'),
    });
    await replaceStaff(db, [fang, gone]);
    expect((await verifyGuidePin(db, fang.id, '1234'))?.name).toBe('王芳');
    expect(await verifyGuidePin(db, fang.id, '4321')).toBeNull();
    expect(await verifyGuidePin(db, gone.id, '1111')).toBeNull();
    expect((await activeGuides(db)).map((g) => g.id)).toEqual([fang.id]);
  });
});
