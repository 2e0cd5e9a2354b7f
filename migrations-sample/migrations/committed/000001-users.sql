--! Previous: -
--! Hash: sha1:7332f0fac3e35864fff916058177fe958329f05d
--! Message: users

-- The API's role. Production creates it with the database; creating it here (guarded) keeps the sample self-contained.
do $$
begin
  create role :DATABASE_VISITOR nologin;
exception when duplicate_object then
  null;
end
$$;

create schema app;
create schema app_private;
grant usage on schema app to :DATABASE_VISITOR;

create table app.users (
  id bigint generated always as identity primary key,
  email text not null unique,
  created_at timestamptz not null default now()
);
alter table app.users enable row level security;
create policy users_select_self on app.users for select to :DATABASE_VISITOR
  using (id = nullif(current_setting('app.user_id', true), '')::bigint);
grant select on app.users to :DATABASE_VISITOR;

-- Only the server's own functions touch sessions: pgmig.json excludes app_private from the table rules.
create table app_private.sessions (
  token text primary key,
  user_id bigint not null references app.users (id) on delete cascade,
  expires_at timestamptz not null
);
