--! Previous: sha1:7332f0fac3e35864fff916058177fe958329f05d
--! Hash: sha1:eeec0f3ca55ade0fa307049c41e2eed8372a376b
--! Message: posts

create type app.post_status as enum ('draft', 'published');

create table app.posts (
  id bigint generated always as identity primary key,
  author_id bigint not null references app.users (id) on delete cascade,
  status app.post_status not null default 'draft',
  title text not null,
  body text not null default '',
  created_at timestamptz not null default now()
);
create index posts_author_id_idx on app.posts (author_id);

alter table app.posts enable row level security;
create policy posts_select_published on app.posts for select to :DATABASE_VISITOR
  using (status = 'published');
create policy posts_all_own on app.posts for all to :DATABASE_VISITOR
  using (author_id = nullif(current_setting('app.user_id', true), '')::bigint);
grant select, insert, update, delete on app.posts to :DATABASE_VISITOR;
