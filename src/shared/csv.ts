// A strict RFC 4180 CSV reader over a stream, in constant memory. Every error says where:
// the line (and, for a quote, the line where it opened), so that an operator can open the
// file at that place. Written here rather than taken from a library so that the messages
// and the limit on a runaway quoted field (the usual symptom of a broken quote, which
// otherwise swallows the rest of the file) are ours.
import { DomainError } from './errors';
import { importLineCharsMax } from './limits';
import { utf8Chunks } from './utf8';

/** One record: its fields and the line it starts on (1-based, header is line 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'afterCR';

/**
 * Reads CSV records from text chunks, yielding all the records each chunk completes at once:
 * one await per chunk instead of one per record, which matters at millions of rows.
 */
export async function* readCsvBatches(
  chunks: AsyncIterable<string | Buffer>,
  recordCharsMax = importLineCharsMax,
): AsyncGenerator<CsvRecord[]> {
  let batch: CsvRecord[] = [];
  const decode = utf8Chunks('MALFORMED_CSV');
  let fields: string[] = [];
  let field = '';
  let state = 'fieldStart' as State;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let consumed = 0;
  let recordStart = 0;
  const fail = (message: string, at: number): never => {
    throw new DomainError('MALFORMED_CSV', `line ${at}: ${message}`, `line ${at}`, { line: at });
  };
  const endRecord = (): CsvRecord | null => {
    fields.push(field);
    field = '';
    const record = fields.length === 1 && fields[0] === '' ? null : { line: recordLine, fields };
    fields = [];
    return record;
  };
  for await (const chunk of chunks) {
    const text = decode(chunk, () => line);
    let runStart = 0; // start of a run of ordinary characters copied into `field` in one slice
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (state === 'afterCR') {
        state = 'fieldStart';
        if (c === LF) {
          runStart = i + 1;
          continue;
        }
        // a lone CR ended the line; this character starts the next one
      }
      if (state === 'fieldStart') {
        if (c === QUOTE) {
          state = 'quoted';
          quoteLine = line;
          runStart = i + 1;
          continue;
        }
        state = 'unquoted';
        runStart = i;
      }
      switch (state) {
        case 'unquoted':
          if (c === COMMA) {
            fields.push(field + text.slice(runStart, i));
            field = '';
            state = 'fieldStart';
          } else if (c === LF || c === CR) {
            field += text.slice(runStart, i);
            const record = endRecord();
            if (record) batch.push(record);
            line++;
            recordLine = line;
            recordStart = consumed + i + 1;
            state = c === CR ? 'afterCR' : 'fieldStart';
            runStart = i + 1;
          } else if (c === QUOTE) {
            fail(
              'a quote inside an unquoted field (quote the whole field and double the quote: "")',
              line,
            );
          }
          continue;
        case 'quoted':
          if (c === QUOTE) {
            field += text.slice(runStart, i);
            state = 'quoteInQuoted';
          } else if (c === LF) line++;
          continue;
        case 'quoteInQuoted':
          if (c === QUOTE) {
            field += '"';
            state = 'quoted';
            runStart = i + 1;
            continue;
          }
          if (c === COMMA) {
            fields.push(field);
            field = '';
            state = 'fieldStart';
          } else if (c === LF || c === CR) {
            const record = endRecord();
            if (record) batch.push(record);
            line++;
            recordLine = line;
            recordStart = consumed + i + 1;
            state = c === CR ? 'afterCR' : 'fieldStart';
          } else {
            fail(
              'unexpected text after a closing quote (a quote inside a quoted field must be doubled: "")',
              line,
            );
          }
          runStart = i + 1;
          continue;
      }
    }
    if (state === 'unquoted' || state === 'quoted') field += text.slice(runStart);
    consumed += text.length;
    if (consumed - recordStart > recordCharsMax) {
      if (state === 'quoted')
        fail(
          `a quoted field opened here is never closed (it runs past ${recordCharsMax} characters)`,
          quoteLine,
        );
      fail(`the record is longer than ${recordCharsMax} characters`, recordLine);
    }
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  decode(undefined, () => line); // a character cut off at the very end is refused here
  if (state === 'quoted') fail('a quoted field opened here is never closed', quoteLine);
  if (state !== 'afterCR' && !(state === 'fieldStart' && fields.length === 0 && field === '')) {
    const record = endRecord();
    if (record) batch.push(record);
  }
  if (batch.length > 0) yield batch;
}

/**
 * One CSV cell as Tessera writes it: quoted when it holds a quote, comma or line break, and
 * neutralised when a spreadsheet would run it as a formula (OWASP "CSV injection"): a cell
 * starting with `=`, `@`, a tab or a carriage return, or with `+` or `-` not followed by a
 * plain number, gets a leading apostrophe. Phone numbers in E.164 form (`+58412…`) and signed
 * numbers stay as they are, so that a file Tessera writes imports back unchanged.
 */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const formula = /^[=@\t\r]/.test(value) || (/^[+-]/.test(value) && !/^[+-][\d ]+$/.test(value));
  const safe = formula ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
