/**
 * Browser side of `bench:idb-layout`: raw IndexedDB writes of the same customer profiles in
 * different layouts, to see what the initial-sync time is made of. Bundled with esbuild.
 */
import { toCachedCustomer } from '../../renderer/data/customer-rows';
import type { CustomerProfile } from '../../shared/protocol';

type StoreSpec = { indexes: (string | string[])[]; multiEntry?: string };
type Layout = {
  stores: Record<string, StoreSpec>;
  /** the records to put, per store */
  records: (profiles: CustomerProfile[]) => Record<string, object[]>;
};

const COUNTER_INDEXES = ['memberCode', ['phoneLast4', 'phoneTag'], 'name', 'initials'];

/** The fields the counter's indexes read. */
const counterKeys = (r: ReturnType<typeof toCachedCustomer>) => ({
  id: r.id,
  memberCode: r.memberCode,
  phoneLast4: r.phoneLast4,
  phoneTag: r.phoneTag,
  name: r.name,
  initials: r.initials,
});

/** Lookup terms of one profile, for the packed layouts' multi-entry index. */
const terms = (p: ReturnType<typeof toCachedCustomer>) => [
  `d:${p.id}`,
  `m:${p.memberCode}`,
  `n:${p.name}`,
  `i:${p.initials}`,
  ...(p.phoneLast4 ? [`h:${p.phoneLast4}:${p.phoneTag}`, `l:${p.phoneLast4}`] : []),
];

/**
 * Profiles packed `size` to a record: as objects or one JSON string, behind one multi-entry
 * `terms` index or none.
 */
const packed = (size: number, { asString = false, withTerms = true } = {}): Layout => ({
  stores: { blocks: withTerms ? { indexes: [], multiEntry: 'terms' } : { indexes: [] } },
  records: (profiles) => {
    const rows = profiles.map(toCachedCustomer);
    const blocks = [];
    for (let i = 0; i < rows.length; i += size) {
      const chunk = rows.slice(i, i + size);
      blocks.push({
        id: chunk[0]!.id,
        ...(asString ? { body: JSON.stringify(chunk) } : { rows: chunk }),
        ...(withTerms ? { terms: chunk.flatMap(terms) } : {}),
      });
    }
    return { blocks };
  },
});

const LAYOUTS: Record<string, Layout> = {
  /** Dexie v2: indexed row + unindexed details row, 5 indexes */
  'two stores (v2)': {
    stores: {
      customers: { indexes: ['memberCode', 'phoneHash', 'phoneLast4', 'name', 'initials'] },
      details: { indexes: [] },
    },
    records: (profiles) => {
      const rows = profiles.map(toCachedCustomer);
      return {
        customers: rows.map(({ online: _o, inStore: _s, ...rest }) => rest),
        details: rows.map((r) => ({ id: r.id, online: r.online, inStore: r.inStore })),
      };
    },
  },
  /** Dexie v3: one row per profile, 4 index entries */
  'one row (v3)': {
    stores: { customers: { indexes: COUNTER_INDEXES } },
    records: (profiles) => ({ customers: profiles.map(toCachedCustomer) }),
  },
  'one row, no index': {
    stores: { customers: { indexes: [] } },
    records: (profiles) => ({ customers: profiles.map(toCachedCustomer) }),
  },
  'one row, body as JSON string': {
    stores: { customers: { indexes: COUNTER_INDEXES } },
    records: (profiles) => ({
      customers: profiles
        .map(toCachedCustomer)
        .map((r) => ({ ...counterKeys(r), body: JSON.stringify(r) })),
    }),
  },
  'flat 760 B rows (issue calibration)': {
    stores: { customers: { indexes: COUNTER_INDEXES } },
    records: (profiles) => ({
      customers: profiles.map(toCachedCustomer).map((r) => ({
        ...counterKeys(r),
        tier: r.tier,
        points: r.points,
        gender: r.gender,
        birthday: r.birthday,
        notes: 'x'.repeat(480),
      })),
    }),
  },
  '20 per record as JSON string, terms': packed(20, { asString: true }),
  '100 per record as JSON string, no index': packed(100, { asString: true, withTerms: false }),
  '10 per record, terms index': packed(10),
  '20 per record, terms index': packed(20),
  '50 per record, terms index': packed(50),
};

async function openFresh(name: string, stores: Record<string, StoreSpec>): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      for (const [store, spec] of Object.entries(stores)) {
        const s = open.result.createObjectStore(store, { keyPath: 'id' });
        for (const index of spec.indexes)
          s.createIndex(Array.isArray(index) ? index.join('+') : index, index);
        if (spec.multiEntry) s.createIndex(spec.multiEntry, spec.multiEntry, { multiEntry: true });
      }
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

/** Writes the profiles in one layout, 5,000 profiles per relaxed transaction. */
async function run(layoutName: string) {
  const layout = LAYOUTS[layoutName];
  if (!layout) throw new Error(`unknown layout ${layoutName}`);
  const profiles = (await (await fetch('/profiles.json')).json()) as CustomerProfile[];
  const db = await openFresh(`layout-${Date.now()}`, layout.stores);
  const perTransaction = 5000;
  const records = layout.records(profiles);
  const puts = Object.values(records).reduce((n, rows) => n + rows.length, 0);
  const t0 = performance.now();
  for (let i = 0; i < profiles.length; i += perTransaction) {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(Object.keys(records), 'readwrite', { durability: 'relaxed' });
      for (const [store, rows] of Object.entries(records)) {
        // The same share of every store's records per transaction.
        const from = Math.floor((i / profiles.length) * rows.length);
        const to = Math.floor(
          (Math.min(i + perTransaction, profiles.length) / profiles.length) * rows.length,
        );
        const s = tx.objectStore(store);
        for (const row of rows.slice(from, to)) s.put(row);
      }
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return { seconds, profiles: profiles.length, puts };
}

Object.assign(globalThis, { idbLayout: { run, layouts: () => Object.keys(LAYOUTS) } });
