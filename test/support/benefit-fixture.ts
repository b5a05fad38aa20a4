// A benefit ready to collect, for tests outside the distribution domain (grievances, the
// portal): people, a food-box programme with an approved cycle open on `today`, a point in
// VE-A serving it, and — when asked — an enrolled device to hand over with. Made through the
// domains' public operations only (src/distribution/test-support.ts is the domain's own).
import { generateKeyPairSync } from 'node:crypto';
import { createPoint, registerDevice, setPointOperator } from '../../src/distribution';
import {
  approveCycle,
  createCycle,
  createProgramme,
  entitlementId,
  freezeCycle,
  generateEntitlements,
  type ProgrammeInput,
} from '../../src/programs';
import { enrolPerson, type PersonInput } from '../../src/registry';
import { systemActor } from '../../src/shared/access';
import type { AppContext, Caller } from '../../src/shared/context';
import type { Agent, TestServer } from './http';

const system: Caller = { actor: systemActor('benefit-fixture') };

/** What `benefitFixture` made. */
export interface BenefitFixture {
  foodCycleId: string;
  pointId: string;
  people: { id: string; registryNumber: string; birthDate: string }[];
  /** The food-box entitlement id of person i. */
  food(i: number): string;
}

/** People, a food box with an approved cycle open on `today`, and a point serving it. */
export async function benefitFixture(
  app: AppContext,
  people: PersonInput[],
  today: string,
): Promise<BenefitFixture> {
  const enrolled: BenefitFixture['people'] = [];
  for (const p of people) {
    const made = await enrolPerson(app, system, p);
    enrolled.push({ id: made.id, registryNumber: made.registryNumber, birthDate: p.birthDate });
  }
  const programme = await createProgramme(app, system, {
    code: `food_${Date.now() % 1e6}`,
    kind: 'basket',
    target: 'person',
    schedule: 'monthly',
    name: { es: 'Caja de alimentos', en: 'Food box' },
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
  } as ProgrammeInput);
  const month = today.slice(0, 7);
  const [y, m] = month.split('-').map(Number);
  const lastDay = new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
  const cycle = await createCycle(app, system, {
    programmeId: programme.id,
    label: month,
    opensOn: `${month}-01`,
    closesOn: lastDay,
  });
  await freezeCycle(app, system, cycle.id);
  await generateEntitlements(app, system, cycle.id);
  await approveCycle(app, { actor: systemActor('benefit-fixture-approver') }, cycle.id);
  const point = await createPoint(app, system, {
    code: `DEP-${Date.now() % 1e6}`,
    name: 'Depósito La Candelaria',
    kind: 'food_depot',
    regionCode: 'VE-A',
    programmeIds: [programme.id],
  });
  return {
    foodCycleId: cycle.id,
    pointId: point.id,
    people: enrolled,
    food: (i) => entitlementId(cycle.id, enrolled[i]!.id),
  };
}

/** Assigns the operator to the point and enrols a device over HTTP; returns its token. */
export async function deviceTokenFor(
  t: TestServer,
  operator: Agent,
  pointId: string,
): Promise<string> {
  await setPointOperator(t.app, system, pointId, operator.staffId, true);
  const { enrolmentCode } = await registerDevice(t.app, system, {
    pointId,
    name: 'Teléfono del mostrador',
    offlineDailyCap: 10,
  });
  const { publicKey } = generateKeyPairSync('ed25519');
  const r = await operator.request({
    method: 'POST',
    url: '/api/v1/devices/enrol',
    payload: { code: enrolmentCode, publicKey: String(publicKey.export({ format: 'jwk' }).x) },
  });
  if (r.statusCode !== 201) throw new Error(`enrolment failed: ${r.body}`);
  return r.json<{ token: string }>().token;
}
