ALTER TABLE "users" ADD COLUMN "display_name" text NOT NULL;--> statement-breakpoint
ALTER TABLE "posts" ALTER COLUMN "views" SET DATA TYPE integer USING "views"::integer;--> statement-breakpoint
ALTER TABLE "posts" ALTER COLUMN "views" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "published_at" timestamp;--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "name";