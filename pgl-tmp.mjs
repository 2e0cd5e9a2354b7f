import { PGlite } from '@electric-sql/pglite';
let t=Date.now();
const db = new PGlite();
await db.waitReady; console.log('ready', Date.now()-t);
t=Date.now();
try { await db.exec("create table a(id int); select nosuch from a;"); } catch(e) { console.log(Object.keys(e), e.code, e.position, e.message); }
t=Date.now(); const c = await db.clone(); console.log('clone', Date.now()-t);
console.log(await c.query("select count(*) from pg_class"));
console.log(await db.query("select pg_try_advisory_lock(4727445306447283) l"));
console.log(await db.query("select current_database(), current_user, version()"));
console.log(process.memoryUsage().rss/1e6);
