// The Drizzle schema the migrations in drizzle/ were generated from (for reading; pgmig analyses the SQL).
import { integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';

export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  email: text('email').notNull().unique(),
  displayName: text('display_name').notNull(),
});

export const posts = pgTable('posts', {
  id: serial('id').primaryKey(),
  authorId: integer('author_id').notNull().references(() => users.id),
  title: text('title').notNull(),
  views: integer('views').notNull(),
  publishedAt: timestamp('published_at'),
});
