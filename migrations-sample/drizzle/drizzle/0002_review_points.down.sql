ALTER TABLE "users" ADD COLUMN "name" text;
ALTER TABLE "posts" DROP COLUMN "published_at";
ALTER TABLE "posts" ALTER COLUMN "views" DROP NOT NULL;
ALTER TABLE "posts" ALTER COLUMN "views" SET DATA TYPE text;
ALTER TABLE "users" DROP COLUMN "display_name";
