import { drizzle } from "drizzle-orm/d1";

export type Db = ReturnType<typeof newDb>;

// No relational schema: the services use the query builder only, and building drizzle's relational
// config walks every table on each construction.
const newDb = (d1: D1Database) => drizzle(d1);

// One drizzle instance per D1 binding for the life of the isolate: the binding is the same object
// for every request, and a fresh instance per call was a measurable part of each invocation.
const instances = new WeakMap<D1Database, Db>();

export function createDb(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) instances.set(d1, (db = newDb(d1)));
  return db;
}
