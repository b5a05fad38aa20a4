// Programmes as they leave in JSON: money as decimal strings of minor units.
import type { Programme, ProgrammeVersion } from './programmes';

type Jsonable<T> = T extends bigint
  ? string
  : T extends readonly (infer U)[]
    ? Jsonable<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonable<T[K]> }
      : T;

function money<T>(value: T): Jsonable<T> {
  return JSON.parse(
    JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  ) as Jsonable<T>;
}

/** A programme version as JSON. */
export type ProgrammeVersionView = Jsonable<ProgrammeVersion>;

/** A programme as JSON. */
export function presentProgramme(p: Programme): Jsonable<Programme> {
  return money(p);
}
