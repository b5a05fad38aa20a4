// Queries on the hot path, built and compiled once per engine: later runs only bind values.
//
// Kysely builds an operation tree and compiles it to SQL on every call — at a point of service's
// rush (two dozen statements per lookup and redemption) more CPU than SQLite spends running the
// statements. A prepared query is written with the query builder as usual, as a function of
// its arguments; it is built once per engine with a placeholder for each argument, and its SQL
// and the position of every placeholder among the parameters are kept. A call then binds its
// arguments in those positions and runs the SQL (on SQLite, through the connection's cache of
// prepared statements).
//
// What a builder may do with an argument: pass it as a value (a comparison, a value to insert or
// set, a parameter of a sql`` fragment), as often as it likes. What it may not: compute with it,
// branch on it, or spread a list (`in` with a variable length) — the shape must not depend on
// the values. Building checks what it can: a placeholder that reaches the SQL text, or that
// arrives changed (e.g. JSON.stringify of an argument), is refused. Under the test runner every
// call is also built the ordinary way and must give the same SQL and parameters.
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Schema } from './schema';
import type { Queryable } from './types';

const placeholderPrefix = '\u0000tessera-arg-';
const placeholder = (i: number) => `${placeholderPrefix}${i}\u0000`;

interface Shape {
  sql: string;
  /** For each parameter: the argument's index, or the constant the builder put there. */
  slots: ({ arg: number } | { constant: unknown })[];
}

// Every call is checked against the ordinary build when Node's test runner runs the process.
const checkEveryCall = process.env.NODE_TEST_CONTEXT !== undefined;

function shapeOf(compiled: CompiledQuery, args: number): Shape {
  if (compiled.sql.includes(placeholderPrefix))
    throw new Error('prepared query: an argument reached the SQL text (use it as a value)');
  const used = new Set<number>();
  const slots = compiled.parameters.map((p) => {
    if (typeof p === 'string' && p.includes(placeholderPrefix)) {
      const arg = Number(p.slice(placeholderPrefix.length, -1));
      if (p !== placeholder(arg) || arg >= args)
        throw new Error('prepared query: an argument was changed before use (pass it as is)');
      used.add(arg);
      return { arg };
    }
    return { constant: p };
  });
  if (used.size !== args)
    throw new Error(`prepared query: ${args - used.size} of its ${args} arguments are never used`);
  return { sql: compiled.sql, slots };
}

/**
 * A query built once per engine from `build`, then run with new arguments by binding them.
 * `build` must use each argument only as a value (see the top of this file).
 */
export function preparedQuery<A extends unknown[], R>(
  arity: A['length'],
  build: (db: Kysely<Schema>, ...args: A) => Compilable<R>,
): (db: Queryable, ...args: A) => Promise<QueryResult<R>> {
  // One shape per dialect (its adapter's class): SQLite and PostgreSQL differ in placeholders.
  const shapes = new Map<unknown, Shape>();
  return async (db, ...args) => {
    const dialect = db.getExecutor().adapter.constructor;
    let shape = shapes.get(dialect);
    if (!shape) {
      const marks = Array.from({ length: arity }, (_, i) => placeholder(i)) as unknown as A;
      shape = shapeOf(build(db as Kysely<Schema>, ...marks).compile(), arity);
      shapes.set(dialect, shape);
    }
    const parameters = shape.slots.map((s) => ('arg' in s ? args[s.arg] : s.constant));
    if (checkEveryCall) {
      const ordinary = build(db as Kysely<Schema>, ...args).compile();
      if (
        ordinary.sql !== shape.sql ||
        ordinary.parameters.length !== parameters.length ||
        ordinary.parameters.some((p, i) => p !== parameters[i])
      )
        throw new Error(`prepared query: its shape depends on its arguments:\n${shape.sql}`);
    }
    return db.executeQuery<R>(CompiledQuery.raw(shape.sql, parameters) as CompiledQuery<R>);
  };
}
