// What the cardholder sees of themselves in their portal, read from each domain's own store
// for this one person (no staff permission is involved: the portal proved who they are):
// their record in words, their cards, their entitlements with where and when to collect, their
// wallet, who read their record and why (staff as pseudonyms), and their nominees — whom they
// designate or remove themselves, the portal being their consent.
import { z } from 'zod';
import { ownCards } from '../credentials';
import { endNominee, insertNominee, nomineesOf, type Nominee } from '../distribution';
import { readWalletStatement, type WalletStatement } from '../ledger';
import {
  accessReportPageInput,
  readAccessReport,
  staffPseudonym,
  type AccessReportEntry,
} from '../privacy';
import { loadEntitlements, type EntitlementView } from '../programs';
import { parseRegistryNumber, type PersonRow } from '../registry';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { plainText } from '../shared/schemas';
import { readStoredJson, storedObject, storedTextList } from '../shared/stored-json';

/** The person's record, as they read it. */
export interface MyRecord {
  registryNumber: string;
  givenNames: string;
  surnames: string;
  birthDate: string;
  sex: string | null;
  region: { code: string; name: string };
  locality: string | null;
  addressLine: string | null;
  phone: string | null;
  status: string;
  household: { members: number } | null;
  attributes: { name: string; description: string; value: string }[];
  healthDataHeld: boolean;
  createdAt: string;
  updatedAt: string;
}

async function personRow(app: AppContext, personId: string): Promise<PersonRow> {
  const row = await app.db.kysely
    .selectFrom('persons')
    .selectAll()
    .where('id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Your record was not found.');
  return row;
}

/** What the registry holds about the person. */
export async function myRecord(app: AppContext, personId: string): Promise<MyRecord> {
  const row = await personRow(app, personId);
  const values = readStoredJson(storedObject, row.attributes, `persons ${row.id} attributes`);
  const names = Object.keys(values);
  const definitions =
    names.length > 0
      ? await app.db.kysely
          .selectFrom('attribute_definitions')
          .select(['name', 'description'])
          .where('name', 'in', names)
          .execute()
      : [];
  const members = row.household_id
    ? await app.db.kysely
        .selectFrom('persons')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('household_id', '=', row.household_id)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow()
    : null;
  return {
    registryNumber: row.registry_number,
    givenNames: row.given_names,
    surnames: [row.surname1, row.surname2].filter(Boolean).join(' '),
    birthDate: row.birth_date,
    sex: row.sex,
    region: { code: row.region_code, name: app.config.regions[row.region_code] ?? row.region_code },
    locality: row.locality,
    addressLine: row.address_line,
    phone: row.phone,
    status: row.status,
    household: members ? { members: Number(members.n) } : null,
    attributes: names.map((name) => ({
      name,
      description: definitions.find((d) => d.name === name)?.description ?? name,
      value: String(values[name]),
    })),
    healthDataHeld: row.health_attributes !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The person's cards. */
export async function myCards(app: AppContext, personId: string) {
  return { items: await ownCards(app, personId) };
}

/** An entitlement with where it can be collected. */
export type MyEntitlement = EntitlementView & {
  points: { name: string; locality: string | null; kind: string }[];
};

/** The person's entitlements, newest first, each with the points of their region that serve it. */
export async function myEntitlements(
  app: AppContext,
  personId: string,
): Promise<{ items: MyEntitlement[] }> {
  const person = await personRow(app, personId);
  const today = app.now().toISOString().slice(0, 10);
  const items = await loadEntitlements(app.db.kysely, personId, today);
  const points = await app.db.kysely
    .selectFrom('points')
    .select(['name', 'locality', 'kind', 'programmes'])
    .where('region_code', '=', person.region_code)
    .where('status', '=', 'active')
    .orderBy('name')
    .limit(200)
    .execute();
  const serving = points.map((p) => ({
    name: p.name,
    locality: p.locality,
    kind: p.kind,
    programmes: readStoredJson(storedTextList, p.programmes, `points ${p.name} programmes`),
  }));
  return {
    items: items.map((e) => ({
      ...e,
      points: serving
        .filter((p) => p.programmes.includes(e.programmeId))
        .slice(0, 5)
        .map(({ name, locality, kind }) => ({ name, locality, kind })),
    })),
  };
}

/** The person's wallet. */
export async function myWallet(app: AppContext, personId: string): Promise<WalletStatement> {
  return readWalletStatement(app.db.kysely, personId, { limit: 50 });
}

/** A page of who read or changed the person's record and why; their own acts as `you`. */
export async function myAccessReport(
  app: AppContext,
  personId: string,
  page: z.output<typeof accessReportPageInput>,
): Promise<{ items: (AccessReportEntry & { byYou: boolean })[]; next: string | null }> {
  const report = await readAccessReport(
    app.db.kysely,
    app.config.dataKey,
    app.auditOperations,
    personId,
    {
      limit: page.limit ?? 20,
      after: page.after,
    },
  );
  const self = staffPseudonym(app.config.dataKey, `person:${personId}`);
  return {
    items: report.items.map((item) => ({
      ...item,
      byYou: item.staff === self,
      staff: item.staff === self ? 'you' : item.staff,
    })),
    next: report.next,
  };
}

/** A nominee as the person sees it: no staff ids. */
export type MyNominee = Omit<Nominee, 'recordedBy' | 'revokedBy'>;

function forPerson(n: Nominee): MyNominee {
  const { recordedBy: _r, revokedBy: _v, ...rest } = n;
  return rest;
}

/** The person's nominees, live and revoked. */
export async function myNominees(
  app: AppContext,
  personId: string,
): Promise<{ items: MyNominee[] }> {
  return { items: (await nomineesOf(app.db.kysely, personId)).map(forPerson) };
}

/** Designating a nominee: their registry number and date of birth, both (so a number alone learns no name). */
export const myNomineeInput = z
  .object({
    registryNumber: z.string().trim().min(4).max(40),
    birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date of birth as YYYY-MM-DD'),
  })
  .strict();

/** Removing a nominee. */
export const myNomineeRevokeInput = z.object({ reason: plainText(300).optional() }).strict();

/** Designates a nominee, the person's own consent given in the portal. */
export async function designateNominee(
  app: AppContext,
  caller: Caller,
  personId: string,
  input: z.output<typeof myNomineeInput>,
): Promise<{ nominee: MyNominee; nominees: MyNominee[] }> {
  const number = parseRegistryNumber(input.registryNumber);
  return app.db.transaction(async (trx) => {
    if (app.db.engine === 'postgres')
      await trx.selectFrom('persons').select('id').where('id', '=', personId).forUpdate().execute();
    const beneficiary = await trx
      .selectFrom('persons')
      .selectAll()
      .where('id', '=', personId)
      .executeTakeFirstOrThrow();
    const nominee = number
      ? await trx
          .selectFrom('persons')
          .selectAll()
          .where('registry_number', '=', number)
          .executeTakeFirst()
      : undefined;
    // One answer for an unknown number and a wrong date of birth: nobody's name is learnt here.
    if (!nominee || nominee.birth_date !== input.birthDate)
      throw new DomainError(
        'NOT_FOUND',
        'No person has that registry number and date of birth.',
        'registryNumber',
      );
    const made = await insertNominee(
      trx,
      app,
      caller,
      beneficiary,
      nominee,
      'registryNumber',
      'portal_self',
    );
    return { nominee: forPerson(made.nominee), nominees: made.nominees.map(forPerson) };
  });
}

/** Removes one of the person's nominees (the record is kept). */
export async function removeNominee(
  app: AppContext,
  caller: Caller,
  personId: string,
  nomineeRecordId: string,
  reason: string | undefined,
): Promise<MyNominee> {
  return app.db.transaction(async (trx) =>
    forPerson(
      await endNominee(
        trx,
        app,
        caller,
        personId,
        nomineeRecordId,
        reason ?? 'Removed by the person in their portal',
      ),
    ),
  );
}
