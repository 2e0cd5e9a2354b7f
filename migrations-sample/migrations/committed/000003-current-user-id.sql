--! Previous: sha1:eeec0f3ca55ade0fa307049c41e2eed8372a376b
--! Hash: sha1:874a65e38c0341a1277c0b000228d3eaba694367
--! Message: current user id

create function app.current_user_id() returns bigint
  language sql stable
  as $$ select nullif(current_setting('app.user_id', true), '')::bigint $$;
grant execute on function app.current_user_id() to :DATABASE_VISITOR;
