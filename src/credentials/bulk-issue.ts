// Bulk card issuance, at the pace of a national campaign: a job names a region (every active
// person in it) or a list of people, and issues their cards a batch at a time. Each batch is
// one transaction that signs the batch's cards (WebCrypto signs on libuv's thread pool, so the
// batch's signatures run in parallel), inserts them with one bulk insert, writes one audit
// entry naming every person, and moves the job's cursor. A job stopped anywhere — a crash, a
// ^C, a full disk — resumes where its last batch committed: the cursor and the cards commit
// together, and the one-active-card index refuses a second card to anyone regardless.
import type { Selectable } from 'kysely';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { assertKnownRegion, parseRegistryNumber } from '../registry';
import { regionsFor, requirePermission, requireRegion } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { readStoredJson } from '../shared/stored-json';
import { z } from 'zod';
import type { CardJobsTable } from './card-jobs-tables';
import { activeOrNewKeyRow } from './create-issuer-key';
import { cardValidity, signedCardRow, type PersonForCard } from './issue-person-card';
import { signingKeyOf } from './load-signing-key';
import { nextSerial, transactionWithRetry } from './store';

/** People a batch looks at: large enough to amortise a commit, small enough to stay short. */
export const cardJobBatchDefault = 500;
/** The most people one list job may name (a file of a region's registry numbers fits). */
export const cardJobListMax = 2_000_000;

export type CardJobRow = Selectable<CardJobsTable>;
export type SkipReason = 'holds_card' | 'inactive' | 'in_review';

/** A job as its users see it. */
export interface CardJob {
  id: string;
  kind: 'region' | 'list';
  regionCode: string | null;
  status: 'running' | 'done';
  createdBy: string;
  createdAt: string;
  total: number;
  done: number;
  issued: number;
  skipped: Record<SkipReason, number>;
  updatedAt: string;
  finishedAt: string | null;
}

const skippedSchema = z.object({
  holds_card: z.number(),
  inactive: z.number(),
  in_review: z.number(),
});
const noneSkipped = (): Record<SkipReason, number> => ({
  holds_card: 0,
  inactive: 0,
  in_review: 0,
});

function presentJob(row: CardJobRow): CardJob {
  return {
    id: row.id,
    kind: row.kind,
    regionCode: row.region_code,
    status: row.status,
    createdBy: row.created_by,
    createdAt: row.created_at,
    total: Number(row.total),
    done: Number(row.done),
    issued: Number(row.issued),
    skipped: readStoredJson(skippedSchema, row.skipped, `card_jobs ${row.id} skipped`),
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

function newJobRow(
  app: AppContext,
  caller: Caller,
  kind: 'region' | 'list',
  regionCode: string | null,
  total: number,
): CardJobRow {
  const at = app.now().toISOString();
  return {
    id: app.newId(),
    kind,
    region_code: regionCode,
    status: 'running',
    created_by: caller.actor.id,
    created_at: at,
    total,
    done: 0,
    issued: 0,
    skipped: JSON.stringify(noneSkipped()),
    cursor: null,
    updated_at: at,
    finished_at: null,
  };
}

/** A job for every active person of a region (the caller must issue cards there). */
export async function createRegionCardJob(
  app: AppContext,
  caller: Caller,
  regionCode: string,
): Promise<CardJob> {
  requirePermission(caller.actor, 'card:issue');
  assertKnownRegion(app, regionCode, 'region');
  requireRegion(caller.actor, 'card:issue', regionCode, 'Region', 'region');
  return app.db.transaction(async (trx) => {
    const counted = await trx
      .selectFrom('persons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('region_code', '=', regionCode)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    const row = newJobRow(app, caller, 'region', regionCode, Number(counted.n));
    await trx.insertInto('card_jobs').values(row).execute();
    await appendAudit(trx, app, caller, {
      operation: 'card.job_create',
      permission: 'card:issue',
      details: { job: row.id, kind: 'region', region: regionCode, total: row.total },
    });
    return presentJob(row);
  });
}

/**
 * A job for the people named by registry number, one per line of `lines` (blank lines and
 * lines starting with `#` are ignored). Every line is checked before anything is written: a
 * malformed or unknown number, or one outside the caller's regions, refuses the whole list,
 * naming the lines.
 */
export async function createListCardJob(
  app: AppContext,
  caller: Caller,
  lines: readonly string[],
): Promise<CardJob> {
  requirePermission(caller.actor, 'card:issue');
  const wanted: { line: number; number: string }[] = [];
  const problems: string[] = [];
  for (const [i, text] of lines.entries()) {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const number = parseRegistryNumber(trimmed);
    if (number) wanted.push({ line: i + 1, number });
    else problems.push(`line ${i + 1}: "${trimmed.slice(0, 40)}" is not a registry number`);
  }
  if (wanted.length > cardJobListMax) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `list: at most ${cardJobListMax} people in one job`,
      'list',
    );
  }
  const regions = regionsFor(caller.actor, 'card:issue');
  return app.db.transaction(async (trx) => {
    const found = new Map<string, { id: string; region_code: string }>();
    for (let at = 0; at < wanted.length; at += 1000) {
      const chunk = wanted.slice(at, at + 1000).map((w) => w.number);
      const rows = await trx
        .selectFrom('persons')
        .select(['id', 'registry_number', 'region_code'])
        .where('registry_number', 'in', chunk)
        .execute();
      for (const row of rows) found.set(row.registry_number, row);
    }
    const seen = new Set<string>();
    const people: string[] = [];
    for (const { line, number } of wanted) {
      const person = found.get(number);
      // Outside the caller's regions reads as unknown: the list must not probe other regions.
      if (!person || (regions !== '*' && !regions.includes(person.region_code))) {
        problems.push(`line ${line}: no person ${number} in your regions`);
      } else if (!seen.has(person.id)) {
        seen.add(person.id);
        people.push(person.id);
      }
    }
    if (problems.length > 0) {
      const shown = problems.slice(0, 20).join('; ');
      const more = problems.length > 20 ? `; and ${problems.length - 20} more` : '';
      throw new DomainError('VALIDATION_FAILED', `list: ${shown}${more}`, 'list');
    }
    return insertListJob(trx, app, caller, people);
  });
}

/**
 * A job for the people given by id — a programme's beneficiaries, say, which the programmes
 * domain knows and this one does not. Ids that are unknown or outside the caller's regions
 * refuse the whole job, like a list's bad lines.
 */
export async function createPeopleCardJob(
  app: AppContext,
  caller: Caller,
  personIds: readonly string[],
): Promise<CardJob> {
  requirePermission(caller.actor, 'card:issue');
  const unique = [...new Set(personIds)];
  if (unique.length > cardJobListMax) {
    throw new DomainError('VALIDATION_FAILED', `people: at most ${cardJobListMax}`, 'people');
  }
  const regions = regionsFor(caller.actor, 'card:issue');
  return app.db.transaction(async (trx) => {
    const inScope = new Set<string>();
    for (let at = 0; at < unique.length; at += 1000) {
      const rows = await trx
        .selectFrom('persons')
        .select(['id', 'region_code'])
        .where('id', 'in', unique.slice(at, at + 1000))
        .execute();
      for (const row of rows) {
        if (regions === '*' || regions.includes(row.region_code)) inScope.add(row.id);
      }
    }
    const missing = unique.filter((id) => !inScope.has(id));
    if (missing.length > 0) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `people: ${missing.length} not found in your regions (first: ${missing[0]})`,
        'people',
      );
    }
    return insertListJob(trx, app, caller, unique);
  });
}

async function insertListJob(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  people: readonly string[],
): Promise<CardJob> {
  if (people.length === 0) {
    throw new DomainError('VALIDATION_FAILED', 'list: names no one', 'list');
  }
  const row = newJobRow(app, caller, 'list', null, people.length);
  await trx.insertInto('card_jobs').values(row).execute();
  for (let at = 0; at < people.length; at += 10_000) {
    await app.db.insertMany(
      trx,
      'card_job_people',
      people
        .slice(at, at + 10_000)
        .map((person_id, i) => ({ job_id: row.id, seq: at + i, person_id })),
    );
  }
  await appendAudit(trx, app, caller, {
    operation: 'card.job_create',
    permission: 'card:issue',
    details: { job: row.id, kind: 'list', total: people.length },
  });
  return presentJob(row);
}

/** A job by id, if the caller may issue cards (its region's, for a region job). */
export async function getCardJob(app: AppContext, caller: Caller, id: string): Promise<CardJob> {
  return presentJob(await jobInScope(app.db.kysely, caller, id));
}

/** The jobs the caller may see, newest first. */
export async function listCardJobs(app: AppContext, caller: Caller): Promise<CardJob[]> {
  requirePermission(caller.actor, 'card:issue');
  const regions = regionsFor(caller.actor, 'card:issue');
  let query = app.db.kysely.selectFrom('card_jobs').selectAll().orderBy('created_at', 'desc');
  if (regions !== '*') {
    query = query.where((eb) =>
      eb.or([
        eb('created_by', '=', caller.actor.id),
        ...(regions.length > 0 ? [eb('region_code', 'in', regions)] : []),
      ]),
    );
  }
  return (await query.limit(100).execute()).map(presentJob);
}

async function jobInScope(db: Queryable, caller: Caller, id: string): Promise<CardJobRow> {
  requirePermission(caller.actor, 'card:issue');
  const row = await db.selectFrom('card_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Card job not found.', 'id');
  if (row.kind === 'region')
    requireRegion(caller.actor, 'card:issue', row.region_code!, 'Card job');
  // A list job is its creator's (and national issuers'): its people may span regions.
  else if (row.created_by !== caller.actor.id && regionsFor(caller.actor, 'card:issue') !== '*') {
    throw new DomainError('NOT_FOUND', 'Card job not found.', 'id');
  }
  return row;
}

type Candidate = PersonForCard;
const candidateColumns = [
  'persons.id',
  'persons.registry_number',
  'persons.given_names',
  'persons.surname1',
  'persons.surname2',
  'persons.birth_date',
  'persons.sex',
  'persons.region_code',
  'persons.status',
] as const;

/** The next batch of people after the cursor, and the cursor after them. */
async function nextCandidates(
  trx: Queryable,
  job: CardJobRow,
  size: number,
): Promise<{ people: Candidate[]; cursor: string | null }> {
  if (job.kind === 'region') {
    let query = trx
      .selectFrom('persons')
      .select(candidateColumns)
      .where('persons.region_code', '=', job.region_code!)
      .where('persons.status', '=', 'active');
    if (job.cursor !== null) query = query.where('persons.id', '>', job.cursor);
    const people = await query.orderBy('persons.id').limit(size).execute();
    return { people, cursor: people.at(-1)?.id ?? null };
  }
  const after = job.cursor === null ? -1 : Number(job.cursor);
  const rows = await trx
    .selectFrom('card_job_people')
    .innerJoin('persons', 'persons.id', 'card_job_people.person_id')
    .select([...candidateColumns, 'card_job_people.seq'])
    .where('card_job_people.job_id', '=', job.id)
    .where('card_job_people.seq', '>', after)
    .orderBy('card_job_people.seq')
    .limit(size)
    .execute();
  const last = rows.at(-1);
  return { people: rows, cursor: last ? String(last.seq) : null };
}

/** What one batch did. */
interface BatchResult {
  job: CardJobRow;
  serials: number[];
}

async function runBatch(
  app: AppContext,
  caller: Caller,
  jobId: string,
  size: number,
): Promise<BatchResult> {
  return transactionWithRetry(app, async (trx) => {
    // On PostgreSQL the row lock makes two runners of one job take turns; SQLite has one writer.
    let lockQuery = trx.selectFrom('card_jobs').selectAll().where('id', '=', jobId);
    if (app.db.engine === 'postgres') lockQuery = lockQuery.forUpdate();
    const job = await lockQuery.executeTakeFirstOrThrow();
    if (job.status === 'done') return { job, serials: [] };
    const { people, cursor } = await nextCandidates(trx, job, size);
    const now = app.now();
    const at = now.toISOString();
    const skipped = readStoredJson(skippedSchema, job.skipped, `card_jobs ${job.id} skipped`);
    if (people.length === 0) {
      const finished = { status: 'done' as const, updated_at: at, finished_at: at };
      await trx.updateTable('card_jobs').set(finished).where('id', '=', job.id).execute();
      await appendAudit(trx, app, caller, {
        operation: 'card.job_finish',
        permission: 'card:issue',
        details: { job: job.id, issued: Number(job.issued), skipped },
      });
      return { job: { ...job, ...finished }, serials: [] };
    }
    const ids = people.map((p) => p.id);
    // A card whose validity has run out no longer counts as held: record it as expired.
    await trx
      .updateTable('cards')
      .set({ status: 'expired' })
      .where('person_id', 'in', ids)
      .where('status', '=', 'active')
      .where('expires_at', '<=', at)
      .execute();
    const holders = new Set(
      (
        await trx
          .selectFrom('cards')
          .select('person_id')
          .where('person_id', 'in', ids)
          .where('status', '=', 'active')
          .execute()
      ).map((r) => r.person_id),
    );
    const toIssue: Candidate[] = [];
    for (const person of people) {
      if (person.status !== 'active') skipped.inactive++;
      else if (holders.has(person.id)) skipped.holds_card++;
      // Two records that may be one person wait for the review: no card doubles them.
      else if (await app.duplicateScreening?.openReview?.(trx, person.id)) skipped.in_review++;
      else toIssue.push(person);
    }
    const serials = await insertCards(trx, app, caller, toIssue, now);
    if (serials.length > 0) {
      await app.db.insertMany(
        trx,
        'card_job_cards',
        serials.map((serial) => ({ job_id: job.id, serial })),
      );
      await appendAudit(trx, app, caller, {
        operation: 'card.issue',
        permission: 'card:issue',
        subjectIds: toIssue.map((p) => p.id),
        details: { job: job.id, serials: `${serials[0]}-${serials.at(-1)}`, count: serials.length },
      });
    }
    const next = {
      cursor,
      done: Number(job.done) + people.length,
      issued: Number(job.issued) + serials.length,
      skipped: JSON.stringify(skipped),
      updated_at: at,
    };
    await trx.updateTable('card_jobs').set(next).where('id', '=', job.id).execute();
    return { job: { ...job, ...next }, serials };
  });
}

/** Signs and inserts one card per person, with consecutive serials; returns the serials. */
async function insertCards(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  people: readonly Candidate[],
  now: Date,
): Promise<number[]> {
  if (people.length === 0) return [];
  const keyRow = await activeOrNewKeyRow(trx, app);
  const key = await signingKeyOf(app, keyRow);
  const first = await nextSerial(trx);
  const validity = cardValidity(app, now);
  const rows = await Promise.all(
    people.map((person, i) =>
      signedCardRow(app, caller, person, { serial: first + i, kid: keyRow.kid, key, ...validity }),
    ),
  );
  await app.db.insertMany(trx, 'cards', rows as unknown as Record<string, unknown>[]);
  return rows.map((r) => r.serial);
}

/** Options of a run. */
export interface RunCardJobOptions {
  /** People per transaction. */
  batchSize?: number;
  /** Called after each committed batch, with the job as it now stands and the batch's serials. */
  onBatch?: (job: CardJob, serials: number[]) => void | Promise<void>;
  /** Stop after this many batches (a test's stand-in for a crash); the job stays resumable. */
  batchesMax?: number;
}

/**
 * Runs a job, or resumes it, until every person has been looked at. Safe to run again at any
 * time, and from two processes at once (they take turns per batch).
 */
export async function runCardJob(
  app: AppContext,
  caller: Caller,
  jobId: string,
  options: RunCardJobOptions = {},
): Promise<CardJob> {
  const size = options.batchSize ?? cardJobBatchDefault;
  if (!Number.isInteger(size) || size < 1 || size > 10_000) {
    throw new DomainError('VALIDATION_FAILED', 'batchSize: 1 to 10000', 'batchSize');
  }
  await jobInScope(app.db.kysely, caller, jobId);
  for (let batches = 0; ; batches++) {
    if (options.batchesMax !== undefined && batches >= options.batchesMax) break;
    const { job, serials } = await runBatch(app, caller, jobId, size);
    await options.onBatch?.(presentJob(job), serials);
    if (job.status === 'done') return presentJob(job);
  }
  return getCardJob(app, caller, jobId);
}

/** The serials a job issued, in order, a page at a time (for its print sheets). */
export async function cardJobSerials(
  app: AppContext,
  caller: Caller,
  jobId: string,
  page: { after?: number; limit: number },
): Promise<number[]> {
  await jobInScope(app.db.kysely, caller, jobId);
  const rows = await app.db.kysely
    .selectFrom('card_job_cards')
    .select('serial')
    .where('job_id', '=', jobId)
    .where('serial', '>', page.after ?? 0)
    .orderBy('serial')
    .limit(page.limit)
    .execute();
  return rows.map((r) => Number(r.serial));
}
