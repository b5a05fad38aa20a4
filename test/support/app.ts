// Factories for tests: an application context over a test database, and callers with roles.
import { randomBytes } from 'node:crypto';
import { appContext } from '../../src/app';
import { useTestScryptParams } from '../../src/auth';
import { permissionMatrix } from '../../src/modules';
import { personInput, registrySubjects, type PersonInput } from '../../src/registry';
import { resolveGrants, type Actor, type RoleGrant } from '../../src/shared/access';
import type { Database } from '../../src/db';
import type { Purpose } from '../../src/shared/purposes';
import type { AppContext, Caller } from '../../src/shared/context';
import { defaultRegions } from '../../src/shared/regions';
import { parseInput } from '../../src/shared/validate';

// Staff and PINs made by a test are hashed at scrypt's cheap test parameters (see
// src/auth/password.ts); src/auth/password.test.ts checks the real ones.
useTestScryptParams();

/** An application context over `db` with a fixed data key and a clock tests can move. */
export function testApp(
  db: Database,
  start = new Date('2026-11-29T10:00:00Z'),
): AppContext & { advance(ms: number): void } {
  let now = start.getTime();
  const config = { regions: defaultRegions, dataKey: randomBytes(32), statsCellMin: 10 };
  // The registry's subject directory is connected even in unwired test apps: without it,
  // privacy's access report and audit query refuse to run.
  return Object.assign(
    appContext(db, config, () => new Date(now)),
    { subjects: registrySubjects },
    {
      advance(ms: number) {
        now += ms;
      },
    },
  );
}

let staffCounter = 0;

/** A staff caller holding one role in the given regions ('*' for national). */
export function staff(
  role: RoleGrant['role'],
  regions: RoleGrant['regions'] = '*',
  purpose?: Purpose,
): Caller {
  const actor: Actor = {
    kind: 'staff',
    id: `staff-${role}-${++staffCounter}`,
    grants: resolveGrants(permissionMatrix, [{ role, regions }]),
  };
  return purpose ? { actor, purpose, origin: 'test' } : { actor, origin: 'test' };
}

/** The same caller with a purpose. */
export function withPurpose(caller: Caller, purpose: Purpose): Caller {
  return { ...caller, purpose };
}

/** A valid new person, with overrides. */
export function personBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    givenNames: 'María José',
    surname1: 'Pérez',
    surname2: 'Rodríguez',
    birthDate: '1984-03-12',
    sex: 'F',
    address: { regionCode: 'VE-A', locality: 'Caracas', line: 'Calle 3, casa 12' },
    phone: '+584121234567',
    ...overrides,
  };
}

/** A valid new person, with overrides, parsed as the enrolment route parses it. */
export function validPerson(overrides: Record<string, unknown> = {}): PersonInput {
  return parseInput(personInput, personBody(overrides));
}

const distinctSurnames = [
  'Acosta',
  'Bello',
  'Castillo',
  'Escalona',
  'Fuentes',
  'Ibarra',
  'Juárez',
  'Méndez',
  'Núñez',
  'Ortega',
  'Quintero',
  'Salazar',
];
let distinctCount = 0;

/** A person unlike every other made by this function, so that duplicate screening lets each one in. */
export function distinctPerson(givenNames: string): PersonInput {
  const n = ++distinctCount;
  return validPerson({
    givenNames,
    surname1: distinctSurnames[n % distinctSurnames.length],
    surname2: distinctSurnames[(n * 5 + 3) % distinctSurnames.length],
    birthDate: `${1940 + n}-0${(n % 9) + 1}-1${n % 10}`,
  });
}
