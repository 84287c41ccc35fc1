import { call } from './http';
import type { HubProcess } from './hub-process';

export type StoreFixture = {
  storeId: string;
  name: string;
  timezone: string;
  guide: { id: string; name: string; pin: string };
  guide2: { id: string; name: string; pin: string };
  manager: { id: string; name: string; pin: string };
  terminals: { id: string; token: string }[];
};

let counter = 0;

/** A store with two guides, a manager and two terminals, created through the admin REST API. */
export async function createStoreFixture(
  hub: HubProcess,
  store: {
    name?: string;
    timezone?: string;
    lat?: number;
    lng?: number;
    geofenceRadiusM?: number;
  } = {},
): Promise<StoreFixture> {
  counter += 1;
  const name = store.name ?? `Test store ${counter}`;
  const timezone = store.timezone ?? 'Asia/Shanghai';
  const created = await call<{ id: string }>(
    hub,
    'POST',
    '/api/v1/admin/stores',
    {
      name,
      timezone,
      lat: store.lat ?? 31.2304,
      lng: store.lng ?? 121.4737,
      geofenceRadiusM: store.geofenceRadiusM ?? 300,
    },
    { admin: true },
  );
  if (created.status !== 201) throw new Error(`store not created: ${JSON.stringify(created.body)}`);
  const storeId = created.body.id;
  const guide = async (gname: string, role: 'guide' | 'manager', pin: string) => {
    const r = await call<{ id: string }>(
      hub,
      'POST',
      '/api/v1/admin/guides',
      { storeId, name: gname, role, pin },
      { admin: true },
    );
    if (r.status !== 201) throw new Error(`guide not created: ${JSON.stringify(r.body)}`);
    return { id: r.body.id, name: gname, pin };
  };
  const terminal = async (tname: string) => {
    const r = await call<{ id: string; token: string }>(
      hub,
      'POST',
      '/api/v1/admin/terminals',
      { storeId, name: tname },
      { admin: true },
    );
    if (r.status !== 201) throw new Error(`terminal not created: ${JSON.stringify(r.body)}`);
    return { id: r.body.id, token: r.body.token };
  };
  return {
    storeId,
    name,
    timezone,
    guide: await guide('王芳', 'guide', '480613'),
    guide2: await guide('李娜', 'guide', '592704'),
    manager: await guide('张伟', 'manager', '731586'),
    terminals: [await terminal('Counter 1'), await terminal('Counter 2')],
  };
}
