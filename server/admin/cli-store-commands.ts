/** `hub:admin` commands for the chain's set-up: stores, guides (and their PINs), terminals. */
import { z } from 'zod';
import {
  newGuideRequest,
  newPin as pinSchema,
  newStore,
  newTerminalRequest,
  uuid,
} from '../../shared/protocol';
import { print, renameIssuePaths, str, toNumber, validate, type Prepare } from './cli-args';
import { terminalStatusText } from './cli-text';

/** `deactivate-guide` and `reactivate-guide`: one preparer, the command's name says which. */
const setGuideActive: Prepare = ({ command, rest, values }) => {
  const active = command === 'reactivate-guide';
  const { guide } = validate(z.object({ guide: uuid }), {
    guide: str(values, 'guide') ?? rest[0],
  });
  return async (ops, io, json) => {
    const state = await ops.setGuideActive(guide, active);
    print(
      io,
      json,
      state,
      `guide ${guide} ${active ? 'reactivated' : 'deactivated'}; the store's terminals apply it at their next staff sync`,
    );
  };
};

/** By command name. */
export const storeCommands: Record<string, Prepare> = {
  'list-stores': () => async (ops, io, json) => {
    const stores = await ops.listStores();
    if (json) return print(io, json, stores, '');
    if (stores.length === 0) return io.out('no stores yet');
    for (const s of stores)
      io.out(
        `${s.id}  ${s.name}  ${s.timezone}  (${Number(s.lat)}, ${Number(s.lng)})${s.region ? `  ${s.region}` : ''}`,
      );
  },
  'add-store': ({ values }) => {
    const input = renameIssuePaths(newStore, {
      id: str(values, 'id'),
      name: str(values, 'name'),
      timezone: str(values, 'timezone'),
      lat: toNumber(str(values, 'lat')),
      lng: toNumber(str(values, 'lng')),
      geofenceRadiusM: toNumber(str(values, 'radius')),
      // `--region ''` takes the store out of its region; left out, the region stays.
      region:
        str(values, 'region') === undefined ? undefined : str(values, 'region')!.trim() || null,
    });
    return async (ops, io, json) => {
      const { id } = await ops.addStore(input);
      print(io, json, { id }, `store ${input.name} saved: ${id}`);
    };
  },
  'add-guide': ({ values }) => {
    const input = renameIssuePaths(newGuideRequest, {
      id: str(values, 'id'),
      storeId: str(values, 'store'),
      name: str(values, 'name'),
      role: str(values, 'role'),
      pin: str(values, 'pin'),
    });
    return async (ops, io, json) => {
      const { id } = await ops.addGuide(input);
      print(io, json, { id }, `${input.role} ${input.name} saved: ${id}`);
    };
  },
  'list-guides': ({ values }) => {
    const { store } = validate(z.object({ store: uuid.optional() }), {
      store: str(values, 'store'),
    });
    return async (ops, io, json) => {
      const guides = await ops.listGuides(store);
      if (json) return print(io, json, guides, '');
      if (guides.length === 0) return io.out('no guides');
      for (const g of guides)
        io.out(
          `${g.id}  ${g.store_id}  ${g.name}  ${g.role}  ${g.active ? 'active' : 'deactivated'}`,
        );
    };
  },
  'deactivate-guide': setGuideActive,
  'reactivate-guide': setGuideActive,
  'reset-pin': ({ rest, values }) => {
    const input = validate(z.object({ guide: uuid, pin: pinSchema }), {
      guide: str(values, 'guide') ?? rest[0],
      pin: str(values, 'pin'),
    });
    return async (ops, io, json) => {
      const reset = await ops.resetPin(input.guide, input.pin);
      print(
        io,
        json,
        { id: reset.id, storeId: reset.storeId, ok: true },
        `PIN of guide ${input.guide} reset; the old PIN stops working at the terminals' next staff sync, and the guide must choose a new PIN at their next online sign-in`,
      );
    };
  },
  'list-terminals': ({ values }) => {
    const { store } = validate(z.object({ store: uuid.optional() }), {
      store: str(values, 'store'),
    });
    return async (ops, io, json) => {
      const terminals = await ops.listTerminals(store);
      if (json) return print(io, json, terminals, '');
      if (terminals.length === 0) return io.out('no terminals');
      for (const t of terminals)
        io.out(
          `${t.id}  ${t.store_id}  ${t.name}  last seen ${t.last_seen_at ?? 'never'}  ${terminalStatusText(t)}${t.revoked_at ? `  revoked ${t.revoked_at}` : ''}`,
        );
    };
  },
  'add-terminal': ({ values }) => {
    const input = renameIssuePaths(newTerminalRequest, {
      id: str(values, 'id'),
      storeId: str(values, 'store'),
      name: str(values, 'name'),
    });
    return async (ops, io, json) => {
      const t = await ops.addTerminal(input);
      print(
        io,
        json,
        t,
        `terminal ${t.name} created: ${t.id}\ntoken (shown once, store it now): ${t.token}`,
      );
    };
  },
  'revoke-terminal': ({ rest, values }) => {
    const { terminal } = validate(z.object({ terminal: uuid }), {
      terminal: str(values, 'terminal') ?? rest[0],
    });
    return async (ops, io, json) => {
      await ops.revokeTerminal(terminal);
      print(io, json, { id: terminal, revoked: true }, `terminal ${terminal} revoked`);
    };
  },
};
