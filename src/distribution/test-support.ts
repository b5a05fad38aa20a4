// A point of service ready to hand over, for tests and benchmarks: two programmes (a food box
// and a fuel quota with a co-payment) with an approved cycle open today, people with
// entitlements, a point serving both, an operator assigned to it, and an enrolled device with
// its own Ed25519 key and token. Everything is made through the domains' own operations.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { configureCredentials, issuePersonCard } from '../credentials';
import { enrolPerson, type PersonInput } from '../registry';
import {
  approveCycle,
  createCycle,
  createProgramme,
  freezeCycle,
  generateEntitlements,
  entitlementId,
  type ProgrammeInput,
} from '../programs';
import { systemActor, type RoleGrant } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { canonicalJson } from '../shared/canonical-json';
import { createPoint, setPointOperator } from './points';
import { registerDevice } from './devices';

const system: Caller = { actor: systemActor('fixture') };

/** A signed-in agent, as test/support/http.ts makes one (kept structural to avoid a cycle). */
export interface CounterAgent {
  staffId: string;
  request(options: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    url: string;
    payload?: Record<string, unknown>;
    headers?: Record<string, string>;
  }): Promise<{ statusCode: number; body: string; json<T = unknown>(): T }>;
}

/** A device's key pair and what enrolment gave it. */
export interface EnrolledDevice {
  deviceId: string;
  token: string;
  publicKey: string;
  privateKey: KeyObject;
}

/** Makes an Ed25519 key pair as a device does; the public half raw, base64url. */
export function deviceKeyPair(): { publicKey: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: String(publicKey.export({ format: 'jwk' }).x), privateKey };
}

/** Signs an offline entry the way a device does. */
export function signEntry(privateKey: KeyObject, entry: unknown): string {
  return sign(null, Buffer.from(canonicalJson(entry), 'utf8'), privateKey).toString('base64url');
}

function programme(code: string, overrides: Partial<ProgrammeInput>): ProgrammeInput {
  return {
    code,
    kind: 'basket',
    target: 'person',
    schedule: 'monthly',
    name: { es: `Programa ${code}`, en: `Programme ${code}` },
    rule: 'age >= 0',
    benefit: {
      kind: 'basket',
      items: [{ code: 'box', name: { es: 'Caja CLAP', en: 'Food box' }, quantity: 1, unit: 'box' }],
    },
    coPayment: 0n,
    currency: 'VES',
    serviceAreas: [{ regionCode: 'VE-A' }],
    retentionDays: 30,
    stagger: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ...overrides,
  } as ProgrammeInput;
}

/** What `counterFixture` made. */
export interface CounterFixture {
  foodBoxId: string;
  fuelId: string;
  foodCycleId: string;
  fuelCycleId: string;
  pointId: string;
  people: { id: string; registryNumber: string; birthDate: string }[];
  /** The food-box and fuel entitlement ids of person i. */
  food(i: number): string;
  fuel(i: number): string;
}

/**
 * The JSON body of a redemption of person i's food box, proven by an attested national id
 * numbered `documentNumber`.
 */
export function foodBoxByDocument(f: CounterFixture, i: number, documentNumber: string): string {
  return JSON.stringify({
    entitlementId: f.food(i),
    quantity: 1,
    proof: {
      kind: 'document',
      registryNumber: f.people[i]!.registryNumber,
      birthDate: f.people[i]!.birthDate,
      documentType: 'national_id',
      documentNumber,
      reason: 'Cédula vista en el mostrador',
    },
  });
}

/** People, programmes, an approved cycle of each open on `today`, and a point serving both. */
export async function counterFixture(
  app: AppContext,
  people: PersonInput[],
  today: string,
): Promise<CounterFixture> {
  const admin: Caller = { actor: { ...systemActor('fixture-admin'), kind: 'system' } };
  const second: Caller = { actor: systemActor('fixture-approver') };
  const enrolled: CounterFixture['people'] = [];
  for (const p of people) {
    const made = await enrolPerson(app, system, p);
    enrolled.push({ id: made.id, registryNumber: made.registryNumber, birthDate: p.birthDate });
  }
  const food = await createProgramme(app, admin, programme(`food_${Date.now() % 1e6}`, {}));
  const fuel = await createProgramme(
    app,
    admin,
    programme(`fuel_${Date.now() % 1e6}`, {
      kind: 'quota',
      benefit: {
        kind: 'quota',
        item: {
          code: 'gasoline',
          name: { es: 'Gasolina', en: 'Gasoline' },
          quantity: 40,
          unit: 'l',
        },
      },
      coPayment: 50n,
    }),
  );
  const month = today.slice(0, 7);
  const [y, m] = month.split('-').map(Number);
  const lastDay = new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
  const cycles: string[] = [];
  for (const p of [food, fuel]) {
    const c = await createCycle(app, admin, {
      programmeId: p.id,
      label: month,
      opensOn: `${month}-01`,
      closesOn: lastDay,
    });
    await freezeCycle(app, admin, c.id);
    await generateEntitlements(app, admin, c.id);
    await approveCycle(app, second, c.id);
    cycles.push(c.id);
  }
  const point = await createPoint(app, system, {
    code: `DEP-${Date.now() % 1e6}`,
    name: 'Depósito La Candelaria',
    kind: 'food_depot',
    regionCode: 'VE-A',
    programmeIds: [food.id, fuel.id],
  });
  return {
    foodBoxId: food.id,
    fuelId: fuel.id,
    foodCycleId: cycles[0]!,
    fuelCycleId: cycles[1]!,
    pointId: point.id,
    people: enrolled,
    food: (i) => entitlementId(cycles[0]!, enrolled[i]!.id),
    fuel: (i) => entitlementId(cycles[1]!, enrolled[i]!.id),
  };
}

/** Assigns the agent to the point, registers a device and enrols it over HTTP. */
export async function enrolDeviceFor(
  app: AppContext,
  agent: CounterAgent,
  pointId: string,
  offlineDailyCap = 300,
): Promise<EnrolledDevice> {
  await setPointOperator(app, system, pointId, agent.staffId, true).catch((e: unknown) => {
    if (!(e instanceof Error) || !/no operator role|already/.test(e.message)) throw e;
  });
  const { enrolmentCode, device } = await registerDevice(app, system, {
    pointId,
    name: 'Teléfono del mostrador',
    offlineDailyCap,
  });
  const keys = deviceKeyPair();
  const r = await agent.request({
    method: 'POST',
    url: '/api/v1/devices/enrol',
    payload: { code: enrolmentCode, publicKey: keys.publicKey },
  });
  if (r.statusCode !== 201) throw new Error(`enrolment failed: ${r.body}`);
  return { deviceId: device.id, token: r.json<{ token: string }>().token, ...keys };
}

/** Sets up card issuing and issues a card; returns its QR text. */
export async function cardFor(app: AppContext, personId: string): Promise<string> {
  if (!(app as { credentialsConfigured?: boolean }).credentialsConfigured) {
    configureCredentials(app, {
      keyEncryptionKey: randomBytes(32),
      issuer: 'https://tessera.test',
    });
    (app as { credentialsConfigured?: boolean }).credentialsConfigured = true;
  }
  const registrar: Caller = { actor: systemActor('fixture-registrar'), purpose: 'card_issuance' };
  const card = await issuePersonCard(app, registrar, personId);
  const row = await app.db.kysely
    .selectFrom('cards')
    .select('qr_text')
    .where('serial', '=', card.serial)
    .executeTakeFirstOrThrow();
  return row.qr_text;
}

/** Grants an operator in VE-A, as tests sign one in. */
export const operatorGrants: RoleGrant[] = [{ role: 'operator', regions: ['VE-A'] }];
