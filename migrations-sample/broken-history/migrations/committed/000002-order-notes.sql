--! Previous: sha1:2de9c1010794fd1c26b74eb5e6816b7b54a9438b
--! Hash: sha1:72f2976aa1ffef871f087168b1f983c837579e8e
--! Message: order notes

alter table shop.orders add column note text not null default '';
