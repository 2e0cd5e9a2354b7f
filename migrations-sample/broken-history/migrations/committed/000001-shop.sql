--! Previous: -
--! Hash: sha1:2de9c1010794fd1c26b74eb5e6816b7b54a9438b
--! Message: shop

create schema shop;

create table shop.orders (
  id bigint generated always as identity primary key,
  total_cents integer not null check (total_cents >= 0)
);
alter table shop.orders enable row level security;
create policy orders_select on shop.orders for select to :DATABASE_VISITOR using (true);
