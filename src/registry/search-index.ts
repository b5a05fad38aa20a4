// The name index behind person search, one per engine, so that a search by name (and birth
// date) at 10,000,000 people reads a few index pages instead of every row.
//
// Both engines index the same words: the person's folded name (`search_name`, already
// lower-case and without accents, made by `foldForSearch` in the write path), each name word
// again behind the birth year, and tokens for the birth date:
//
//   maria gonzalez, 1975-06-15  →  maria gonzalez 1975maria 1975gonzalez
//                                  1975y 197506m 19750615d
//   a year and month 1975-06    →  … 1975y 197506m 197506mo   ("mo": only the month is known)
//   a year 1975                 →  … 1975y 1975yo             ("yo": only the year is known)
//
// The year-and-word tokens are what make a name with a partial date fast in a country: the
// index reads the people called "maria…" born in 1975, not every María (one woman in ten)
// and then every person born in 1975. A word typed in part is a prefix of its token
// ("1975gonz…"). A name alone reads the plain words, a date alone the date tokens.
//
// - SQLite: an FTS5 table (`person_search`, unicode61 with diacritics removed, no positions
//   kept: `detail=none`), contentless, keyed by `person_search_docs.doc`, because `persons` is
//   WITHOUT ROWID and FTS5 needs an integer key.
//   No prefix indexes: a prefix behind a year matches few people, and they cost every write.
//   Triggers on `persons` keep both in the transaction of every write — enrolment, import,
//   correction, life event, merge, restore — so the index is never stale.
// - PostgreSQL: a GIN index on `to_tsvector('simple', …)` of the same text, built by the
//   server itself on every write of `persons`. Full-text search rather than pg_trgm: it matches
//   whole-word prefixes as the search always has (trigrams would also find "arm" inside
//   "carmen"), and it needs no extension, so a deployment's role needs no CREATE privilege.
//
// The index only narrows: the search still applies its exact word-prefix and birth-date
// conditions to the rows found, so a word the index cannot take (not plain a–z and 0–9 after
// folding) or a tokenizer's quirk can add candidates but never change what is returned.
import { sql, type RawBuilder } from 'kysely';
import type { MigrationStep } from '../db';
import type { Engine } from '../db/types';

/** The date tokens of a stored birth date (`column` is an SQL expression), as SQL text. */
function birthTokensSql(column: string): string {
  return `case length(${column})
    when 10 then substr(${column}, 1, 4) || 'y ' || substr(${column}, 1, 4) || substr(${column}, 6, 2) || 'm '
      || substr(${column}, 1, 4) || substr(${column}, 6, 2) || substr(${column}, 9, 2) || 'd'
    when 7 then substr(${column}, 1, 4) || 'y ' || substr(${column}, 1, 4) || substr(${column}, 6, 2) || 'm '
      || substr(${column}, 1, 4) || substr(${column}, 6, 2) || 'mo'
    when 4 then ${column} || 'y ' || ${column} || 'yo'
    else '' end`;
}

/** What is indexed for a person row (`row` is the table or trigger row name, or empty). */
function indexedTextSql(row: string): string {
  const col = (name: string) => (row ? `${row}.${name}` : name);
  const name = col('search_name');
  const birth = col('birth_date');
  // Every word again behind the year: " maria gonzalez" → " 1975maria 1975gonzalez".
  const yearWords = `replace(' ' || ${name}, ' ', ' ' || substr(${birth}, 1, 4))`;
  return `${name} || ${yearWords} || ' ' || ${birthTokensSql(birth)}`;
}

/** PostgreSQL: the indexed expression; a query must repeat it exactly to use the index. */
const pgVector = `to_tsvector('simple'::regconfig, ${indexedTextSql('')})`;

/** Creates the search index on an existing registry, filled from the rows already there. */
export const personSearchIndex: MigrationStep = async (db, engine) => {
  if (engine === 'postgres') {
    // fastupdate off: a search then never reads a pending list of recent entries one by one
    // (up to 4 MB of them), at the price of a little more work on each write of a person.
    await sql
      .raw(`create index persons_search on persons using gin (${pgVector}) with (fastupdate = off)`)
      .execute(db);
    return;
  }
  await sql`create table person_search_docs (doc integer primary key, person_id text not null unique)`.execute(
    db,
  );
  await sql`create virtual table person_search using fts5(terms, content='', contentless_delete=1,
    detail=none, tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`insert into person_search_docs (person_id) select id from persons order by id`.execute(
    db,
  );
  await sql
    .raw(
      `insert into person_search (rowid, terms)
       select d.doc, ${indexedTextSql('p')} from person_search_docs d join persons p on p.id = d.person_id`,
    )
    .execute(db);
  // last_insert_rowid() inside a trigger is the row the trigger itself just inserted.
  await sql
    .raw(
      `create trigger persons_search_insert after insert on persons begin
        insert into person_search_docs (person_id) values (new.id);
        insert into person_search (rowid, terms) values (last_insert_rowid(), ${indexedTextSql('new')});
      end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger persons_search_update after update of id, search_name, birth_date on persons
      when old.id is not new.id or old.search_name is not new.search_name or old.birth_date is not new.birth_date
      begin
        delete from person_search where rowid = (select doc from person_search_docs where person_id = old.id);
        update person_search_docs set person_id = new.id where person_id = old.id;
        insert into person_search (rowid, terms)
          select doc, ${indexedTextSql('new')} from person_search_docs where person_id = new.id;
      end`,
    )
    .execute(db);
  // Nothing is hard-deleted in Tessera; this keeps the index right should a row ever go.
  await sql`create trigger persons_search_delete after delete on persons begin
      delete from person_search where rowid = (select doc from person_search_docs where person_id = old.id);
      delete from person_search_docs where person_id = old.id;
    end`.execute(db);
};

/** The year and the date tokens that find a birth date as asked, by the search's rule. */
function askedDate(asked: string): { year: string; tokens: string[] } | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(asked);
  if (!m) return null;
  const [, y, mo, d] = m;
  const year = y!;
  if (d) return { year, tokens: [`${y}${mo}${d}d`, `${y}${mo}mo`, `${y}yo`] };
  if (mo) return { year, tokens: [`${y}${mo}m`, `${y}yo`] };
  return { year, tokens: [`${y}y`] };
}

/**
 * The index condition for a name search: folded words (each a word prefix) and a birth date
 * as asked, or null when nothing in them can use the index (the search then scans). With a
 * date, each word is looked up behind its year; without one, words of one letter are left to
 * the exact conditions when a longer word narrows already: every name has some word starting
 * with "a" or "m", so they would only slow the index down.
 */
export function nameIndexCondition(
  engine: Engine,
  words: readonly string[],
  birthDate: string | undefined,
): RawBuilder<boolean> | null {
  const plain = words.filter((w) => /^[a-z0-9]+$/.test(w));
  const date = birthDate ? askedDate(birthDate) : null;
  const long = plain.filter((w) => w.length > 1);
  const prefixes = date ? plain.map((w) => date.year + w) : long.length > 0 ? long : plain;
  // A year asked is already in every year-and-word token.
  const dates = date && !(prefixes.length > 0 && date.tokens.length === 1) ? date.tokens : null;
  if (prefixes.length === 0 && !dates) return null;
  if (engine === 'postgres') {
    const terms = prefixes.map((w) => `'${w}':*`);
    if (dates) terms.push(`(${dates.map((t) => `'${t}'`).join(' | ')})`);
    return sql<boolean>`${sql.raw(pgVector)} @@ to_tsquery('simple'::regconfig, ${terms.join(' & ')})`;
  }
  const terms = prefixes.map((w) => `"${w}"*`);
  if (dates) terms.push(`(${dates.join(' OR ')})`);
  return sql<boolean>`id in (select d.person_id from person_search s
    join person_search_docs d on d.doc = s.rowid where person_search match ${terms.join(' AND ')})`;
}
