--! Previous: sha1:2de9c1010794fd1c26b74eb5e6816b7b54a9438b
--! Hash: sha1:315fefc4ad663bbc40781421f32ead77f3865182
--! Message: refunds

create table shop.refunds (
  id bigint generated always as identity primary key,
  order_id bigint not null references shop.orders (id),
  amount_cents integer not null
);
create index refunds_order_id_idx on shop.refunds (order_id);
alter table shop.refunds enable row level security;
create policy refunds_select on shop.refunds for select to :DATABASE_VISITOR using (true);
