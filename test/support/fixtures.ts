import { endpoints } from '../../shared/protocol';
import { hubApi, must } from './api';
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
  const api = hubApi(hub);
  const { id: storeId } = await must(
    api.call(endpoints.adminCreateStore, {
      body: {
        name,
        timezone,
        lat: store.lat ?? 31.2304,
        lng: store.lng ?? 121.4737,
        geofenceRadiusM: store.geofenceRadiusM ?? 300,
      },
    }),
    'store',
  );
  const guide = async (gname: string, role: 'guide' | 'manager', pin: string) => {
    const { id } = await must(
      api.call(endpoints.adminCreateGuide, { body: { storeId, name: gname, role, pin } }),
      'guide',
    );
    return { id, name: gname, pin };
  };
  const terminal = async (tname: string) => {
    const { id, token } = await must(
      api.call(endpoints.adminCreateTerminal, { body: { storeId, name: tname } }),
      'terminal',
    );
    return { id, token };
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
