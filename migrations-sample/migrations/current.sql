-- The next migration, still being written. graphile-migrate runs this file again on every save (watch), so every
-- statement must be safe to run twice.

--!include types/comment_status.sql
--!include tables/comments.sql
--!include rls/comments.sql
--!include functions/post_excerpt.sql

-- A second run fails: the column already exists.
alter table app.users add column display_name text;

create table app.tags (
  id bigint generated always as identity primary key,
  name text not null unique
);
drop policy if exists tags_select on app.tags;
create policy tags_select on app.tags for select to :DATABASE_VISITOR using (true);
grant select on app.tags to :DATABASE_VISITOR;

create table if not exists app.post_tags (
  post_id bigint not null references app.posts (id) on delete cascade,
  tag_id bigint not null references app.tags (id) on delete cascade,
  primary key (post_id, tag_id)
);
create index if not exists post_tags_tag_id_idx on app.post_tags (tag_id);
alter table app.post_tags enable row level security;

-- pgmig-ignore missing-rls -- read by the server at startup only, never through the API
create table if not exists app.feature_flags (
  name text primary key,
  enabled boolean not null default false
);

-- Review points: each statement is safe to run twice, and each changes data that already exists.
alter table app.posts alter column title type varchar(200);
alter table app.posts add column if not exists slug text not null;
alter table app.users drop column if exists created_at;
