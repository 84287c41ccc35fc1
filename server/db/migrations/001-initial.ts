/** 001: the hub's initial schema. Runs unchanged on PGlite and PostgreSQL. */
export const initialSchema = /* sql */ `
create sequence change_seq;

create table settings (
  key text primary key,
  value text not null
);

create table stores (
  id uuid primary key,
  name text not null,
  timezone text not null,
  lat double precision not null,
  lng double precision not null,
  geofence_radius_m double precision not null default 200,
  created_at timestamptz not null default now()
);

create table guides (
  id uuid primary key,
  store_id uuid not null references stores(id),
  name text not null,
  role text not null check (role in ('guide', 'manager')),
  pin_hash text not null,
  active boolean not null default true,
  created_at timestamptz not null default now()
);
create index guides_store on guides(store_id);

create table terminals (
  id uuid primary key,
  store_id uuid not null references stores(id),
  name text not null,
  token_hash text not null unique,
  revoked_at timestamptz,
  last_seen_at timestamptz,
  created_at timestamptz not null default now()
);

create table customers (
  id uuid primary key,
  seq bigint not null,
  crm_id text unique,
  name text not null,
  phone_e164 text,
  phone_hash text,
  member_code text not null unique,
  tier text not null default 'regular',
  points integer not null default 0,
  gender text not null default 'unknown',
  birthday date,
  sizes jsonb not null default '{}',
  favourite_categories jsonb not null default '[]',
  home_store_id uuid references stores(id),
  tags jsonb not null default '[]',
  notes text not null default '',
  consent_marketing boolean not null default false,
  online jsonb not null default '{"viewed":[],"carted":[],"wishlisted":[],"onlineOrders":0,"onlineSpend":0,"lastOnlineAt":null,"channel":null}',
  in_store jsonb not null default '{"storeOrders":0,"storeSpend":0,"lastPurchases":[]}',
  registered_store_id uuid references stores(id),
  -- the guide who registered the customer in store (benefit sharing)
  registered_guide_id uuid references guides(id),
  merged_into uuid references customers(id),
  deleted boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index customers_seq on customers(seq);
create unique index customers_live_phone on customers(phone_e164)
  where phone_e164 is not null and merged_into is null and not deleted;
create index customers_phone_hash on customers(phone_hash);

create table online_events (
  id text primary key,
  customer_id uuid not null references customers(id),
  type text not null,
  sku text,
  channel text not null,
  at timestamptz not null,
  amount bigint,
  received_at timestamptz not null default now()
);

create table products (
  id uuid primary key,
  sku text not null unique,
  barcode text unique,
  name text not null,
  category text not null,
  size text,
  colour text,
  price bigint not null,
  active boolean not null default true,
  updated_at timestamptz not null default now()
);

-- One row per store × product: this store's stock and the product's place in the store's
-- catalog feed (a product change bumps seq on every store's row).
create table store_products (
  store_id uuid not null references stores(id),
  product_id uuid not null references products(id),
  stock integer not null default 0,
  seq bigint not null,
  primary key (store_id, product_id)
);
create unique index store_products_feed on store_products(store_id, seq);

create table visits (
  id uuid primary key,
  store_id uuid not null references stores(id),
  customer_id uuid references customers(id),
  source text not null,
  started_at timestamptz not null,
  last_seen_at timestamptz not null,
  sightings integer not null default 1,
  alert_id uuid,
  converted_at timestamptz,
  converted_order_id uuid
);
create index visits_recent on visits(store_id, customer_id, last_seen_at);
create index visits_started on visits(store_id, started_at);

create table alerts (
  id uuid primary key,
  visit_id uuid not null references visits(id),
  store_id uuid not null references stores(id),
  customer_id uuid not null references customers(id),
  source text not null,
  raised_at timestamptz not null,
  expires_at timestamptz not null,
  status text not null default 'open' check (status in ('open', 'claimed', 'expired', 'converted')),
  claimed_by uuid references guides(id),
  claimed_at timestamptz,
  converted_at timestamptz,
  converted_order_id uuid,
  card jsonb not null
);
create index alerts_store_time on alerts(store_id, raised_at);
create index alerts_open on alerts(expires_at) where status = 'open';

create table footfall (
  id bigserial primary key,
  store_id uuid not null references stores(id),
  at timestamptz not null,
  count integer not null
);
create index footfall_store_time on footfall(store_id, at);

create table orders (
  id uuid primary key,
  store_id uuid not null references stores(id),
  terminal_id uuid not null references terminals(id),
  guide_id uuid not null references guides(id),
  customer_id uuid references customers(id),
  alert_id uuid,
  visit_id uuid,
  payment_method text not null,
  created_at timestamptz not null,
  received_at timestamptz not null default now(),
  total bigint not null,
  units integer not null
);
create index orders_store_time on orders(store_id, created_at);
create index orders_customer on orders(customer_id);

create table order_lines (
  order_id uuid not null references orders(id),
  line_no integer not null,
  sku text not null,
  product_id uuid references products(id),
  quantity integer not null,
  unit_price bigint not null,
  discount bigint not null,
  primary key (order_id, line_no)
);

-- Profile views by guides, synced from terminals (privacy: who looked at whom, and when).
create table audit_log (
  id uuid primary key,
  store_id uuid not null references stores(id),
  terminal_id uuid not null references terminals(id),
  guide_id uuid references guides(id),
  customer_id uuid not null,
  action text not null,
  at timestamptz not null,
  received_at timestamptz not null default now()
);
create index audit_log_customer on audit_log(customer_id, at);
`;
