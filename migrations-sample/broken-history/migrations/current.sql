-- Every include below is refused by graphile-migrate's compiler.

-- The fixture was renamed (or never added): graphile-migrate stops here.
--!include discounts.sql

-- Fixtures come from migrations/fixtures only; this reaches into committed/.
--!include ../committed/000001-shop.sql

-- loop/a.sql includes loop/b.sql, which includes loop/a.sql again.
--!include loop/a.sql
