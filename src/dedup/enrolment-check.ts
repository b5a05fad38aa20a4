// The check every new person passes before their record is committed: enrolment, birth and
// bulk import. A likely duplicate is flagged (the record is written and a review-queue entry
// links it with each candidate) or, when the deployment or the caller asks, refused.
import type { Insertable } from 'kysely';
import { regionsFor } from '../shared/access';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import type { PersonsTable } from '../registry';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { scorer, type MatchOptions } from './match';
import { prepareRecord } from './normalise';
import type { MatchRecord, ScoredPair } from './types';
import { matchRecordOf, type PersonMatchRow } from './person-record';
import type { DedupService, DuplicateReview, ScreenOptions } from './service';
import { insertPairs } from './store';
import { candidateRows, storeKeys, storedCandidates } from './stored-keys';
import { fieldAgreements, type ScreenedField } from './field-agreements';
export type { FieldAgreement, ScreenedField } from './field-agreements';

/** Most review-queue entries one new record opens (the strongest candidates). */
export const enrolmentPairsMax = 5;

export interface Confirmed {
  pair: ScoredPair;
  row: PersonMatchRow;
  /** The candidate is an earlier row of the same import batch, not yet a registry number. */
  inBatch: boolean;
}

/** The matched columns of a row about to be inserted. */
export function matchRowOf(row: Insertable<PersonsTable>): PersonMatchRow {
  return {
    id: row.id,
    registry_number: row.registry_number,
    given_names: row.given_names,
    surname1: row.surname1 ?? null,
    surname2: row.surname2 ?? null,
    birth_date: row.birth_date,
    sex: row.sex ?? null,
    region_code: row.region_code,
    locality: row.locality ?? null,
    phone: row.phone ?? null,
    attributes: row.attributes,
    status: row.status,
  };
}

/**
 * The candidates the key table puts forward (or earlier rows of the current batch), read from
 * the database and scored on what is stored now; merged-away persons are dropped.
 */
export async function findCandidates(
  trx: Queryable,
  service: Pick<DedupService, 'documentAttribute' | 'matchOptions' | 'engine'>,
  record: MatchRecord,
  batch: ReadonlyMap<string, PersonMatchRow>,
): Promise<Confirmed[]> {
  const prepared = prepareRecord(record);
  const { ids } = await storedCandidates(trx, prepared, service.engine);
  const stored = await candidateRows(
    trx,
    ids.filter((id) => !batch.has(id)),
  );
  const byId = new Map(stored.map((r) => [r.id, r]));
  // The newcomer is prepared once, and the bounded scorer skips the given-name comparison of
  // a pair that cannot reach the bar (its outcome is exactly the full score's, see prefilter.ts).
  const score = scorerOf(service.matchOptions);
  const out: Confirmed[] = [];
  for (const id of ids) {
    const inBatch = batch.get(id);
    const row = inBatch ?? byId.get(id);
    if (!row || row.status === 'merged') continue;
    const pair = score(prepared, prepareRecord(matchRecordOf(row, service.documentAttribute)));
    if (pair !== undefined && pair.outcome !== 'distinct')
      out.push({ pair, row, inBatch: inBatch !== undefined });
  }
  return out.sort((x, y) => y.pair.matchWeight - x.pair.matchWeight).slice(0, enrolmentPairsMax);
}

/** One scorer per options object (a deployment has one), built on first use. */
const scorers = new WeakMap<MatchOptions, ReturnType<typeof scorer>>();
function scorerOf(options: MatchOptions): ReturnType<typeof scorer> {
  let score = scorers.get(options);
  if (score === undefined) scorers.set(options, (score = scorer(options)));
  return score;
}

function strongest(found: readonly Confirmed[]): 'same_person' | 'possible_duplicate' {
  return found.some((c) => c.pair.outcome === 'same_person') ? 'same_person' : 'possible_duplicate';
}

/**
 * Names the candidates the caller may read; a candidate in another region is only said to
 * exist, so that enrolment cannot be used to look people up outside one's regions.
 */
export function describeCandidates(
  caller: Caller,
  found: readonly Confirmed[],
): { text: string; visible: Set<string> } {
  const readable = regionsFor(caller.actor, 'person:read');
  const visible = new Set(
    found
      .filter((c) => !c.inBatch && (readable === '*' || readable.includes(c.row.region_code)))
      .map((c) => c.row.id),
  );
  const parts: string[] = [];
  const numbers = found.filter((c) => visible.has(c.row.id)).map((c) => c.row.registry_number);
  if (numbers.length > 0) parts.push(`registry number ${numbers.join(', ')}`);
  if (found.some((c) => c.inBatch)) parts.push('an earlier row of this import');
  if (found.some((c) => !c.inBatch && !visible.has(c.row.id)))
    parts.push('a person registered in a region you do not serve');
  return { text: parts.join('; '), visible };
}

function refusal(caller: Caller, found: readonly Confirmed[]): DomainError {
  const { text, visible } = describeCandidates(caller, found);
  return new DomainError(
    'POSSIBLE_DUPLICATE',
    `This person appears to be registered already (${text}). Open that record instead of enrolling again, or ask a reviewer to decide.`,
    undefined,
    {
      outcome: strongest(found),
      candidates: found.map((c) => ({
        outcome: c.pair.outcome,
        matchWeight: c.pair.matchWeight,
        ...(visible.has(c.row.id) ? { registryNumber: c.row.registry_number } : {}),
      })),
    },
  );
}

/** Checks one person about to be inserted (enrolment, birth). */
export async function screenPerson(
  app: AppContext,
  service: DedupService,
  trx: Queryable,
  caller: Caller,
  row: Insertable<PersonsTable>,
  options: ScreenOptions,
): Promise<DuplicateReview | null> {
  await service.keyNewer(trx);
  const record = matchRecordOf(matchRowOf(row), service.documentAttribute);
  const found = await findCandidates(trx, service, record, new Map());
  if (found.length > 0 && (options.onDuplicate ?? service.onDuplicate) === 'refuse')
    throw refusal(caller, found);
  // In the enrolment's transaction: the keys commit or roll back with the person.
  await storeKeys(trx, record);
  if (found.length === 0) return null;
  const pairs = await insertPairs(
    trx,
    app,
    found.map((c) => c.pair),
    options.source ?? 'enrolment',
    options.sourceId ?? null,
  );
  const outcome = strongest(found);
  await appendAudit(trx, app, caller, {
    operation: 'dedup.flag',
    permission: 'person:write',
    subjectIds: [row.id, ...found.map((c) => c.row.id)],
    details: { pairIds: pairs.map((p) => p.id), outcome, source: options.source ?? 'enrolment' },
  });
  return { status: 'pending_review', outcome, pairIds: pairs.map((p) => p.id) };
}

/** A candidate the screening found; a person's data only when the caller may read them. */
export type ScreenedCandidate =
  | {
      visible: true;
      outcome: 'same_person' | 'possible_duplicate';
      matchWeight: number;
      fields: ScreenedField[];
      person: {
        id: string;
        registryNumber: string;
        givenNames: string;
        surname1: string | null;
        surname2: string | null;
        birthDate: string;
        sex: string | null;
        regionCode: string;
        locality: string | null;
      };
    }
  | { visible: false; outcome: 'same_person' | 'possible_duplicate' };

/** What a screening before saving found. */
export interface ScreeningResult {
  outcome: 'distinct' | 'same_person' | 'possible_duplicate';
  candidates: ScreenedCandidate[];
}

/** The matcher's reasons, field by field. */
export function screenedFields(pair: ScoredPair): ScreenedField[] {
  return fieldAgreements(pair.explanation);
}

/**
 * Screens a person before anything is saved: the same check as enrolment (screenPerson), but
 * nothing is inserted, flagged or keyed. Candidates the caller may read are
 * returned with their identifying fields, and that read is audited; the others are only said
 * to exist, as describeCandidates says in a refusal.
 */
export async function previewPerson(
  app: AppContext,
  service: DedupService,
  trx: Queryable,
  caller: Caller,
  row: PersonMatchRow,
): Promise<ScreeningResult> {
  await service.keyNewer(trx);
  const record = matchRecordOf(row, service.documentAttribute);
  const found = await findCandidates(trx, service, record, new Map());
  const { visible } = describeCandidates(caller, found);
  const shown = found.filter((c) => visible.has(c.row.id));
  if (shown.length > 0) {
    await appendAudit(trx, app, caller, {
      operation: 'dedup.screen',
      permission: 'person:write',
      subjectIds: shown.map((c) => c.row.id),
      details: { candidates: found.length },
    });
  }
  return {
    outcome: found.length === 0 ? 'distinct' : strongest(found),
    candidates: found.map((c): ScreenedCandidate => {
      const outcome = c.pair.outcome === 'same_person' ? 'same_person' : 'possible_duplicate';
      if (!visible.has(c.row.id)) return { visible: false, outcome };
      return {
        visible: true,
        outcome,
        matchWeight: Math.round(c.pair.matchWeight * 10) / 10,
        fields: screenedFields(c.pair),
        person: {
          id: c.row.id,
          registryNumber: c.row.registry_number,
          givenNames: c.row.given_names,
          surname1: c.row.surname1,
          surname2: c.row.surname2,
          birthDate: c.row.birth_date,
          sex: c.row.sex,
          regionCode: c.row.region_code,
          locality: c.row.locality,
        },
      };
    }),
  };
}
