-- Every include below is refused by graphile-migrate's compiler.

-- The fixture was renamed (or never added): graphile-migrate stops here.
--!include discounts.sql

-- Fixtures come from migrations/fixtures only; this reaches into committed/.
--!include ../committed/000001-shop.sql

-- loop/a.sql includes loop/b.sql, which includes loop/a.sql again.
--!include loop/a.sql

-- Migration safety: committed migrations created shop.orders and shop.refunds, which may hold many rows by now.
-- pgmig-ignore-file non-idempotent-statement -- this part is about locks, not about running twice
create index if not exists orders_note_idx on shop.orders (note);
create index concurrently if not exists refunds_amount_idx on shop.refunds (amount_cents);
alter table shop.refunds add constraint refunds_amount_positive check (amount_cents > 0);
alter table shop.orders add constraint orders_total_cap check (total_cents < 100000000) not valid;
alter table shop.orders validate constraint orders_total_cap;
alter table shop.orders add constraint orders_note_key unique (note);
alter table shop.orders add column if not exists token uuid default gen_random_uuid();
alter table shop.refunds add column if not exists reason text;
update shop.refunds set reason = 'unknown';
alter table shop.refunds alter column reason set not null;
alter table shop.refunds rename column amount_cents to amount;
create type shop.refund_state as enum ('open', 'paid');
alter type shop.refund_state add value if not exists 'rejected';
select 'rejected'::shop.refund_state;
commit;

-- Type hygiene of new columns.
alter table shop.orders add column if not exists placed_at timestamp, add column if not exists coupon varchar(20);
-- pgmig-ignore missing-rls -- internal
create table if not exists shop.coupons (id serial primary key, code text not null);
-- pgmig-ignore missing-rls -- internal
create table if not exists shop.coupon_uses (coupon_id int primary key references shop.coupons (id));
