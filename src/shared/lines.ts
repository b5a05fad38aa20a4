import { DomainError } from './errors';
import { utf8Chunks } from './utf8';

/** A numbered line of text (1-based). */
export interface NumberedLine {
  line: number;
  text: string;
}

/**
 * Splits a byte stream into numbered lines, yielding every line a chunk completes at once
 * (one await per chunk, not per line). A line longer than `lineCharsMax` is refused with
 * `code`, naming the line, so that a missing newline cannot make it read a whole file.
 */
export async function* readLineBatches(
  chunks: AsyncIterable<string | Buffer>,
  lineCharsMax: number,
  code: 'MALFORMED_JSON' | 'VALIDATION_FAILED' = 'MALFORMED_JSON',
): AsyncGenerator<NumberedLine[]> {
  let rest = '';
  let n = 0;
  const decode = utf8Chunks(code === 'VALIDATION_FAILED' ? 'MALFORMED_JSON' : code);
  for await (const chunk of chunks) {
    rest += decode(chunk, () => n + 1);
    const batch: NumberedLine[] = [];
    let start = 0;
    let nl: number;
    while ((nl = rest.indexOf('\n', start)) >= 0) {
      batch.push({ line: ++n, text: rest.slice(start, nl).replace(/\r$/, '') });
      start = nl + 1;
    }
    rest = rest.slice(start);
    if (rest.length > lineCharsMax) {
      throw new DomainError(
        code,
        `line ${n + 1}: longer than ${lineCharsMax} characters`,
        `line ${n + 1}`,
      );
    }
    if (batch.length > 0) yield batch;
  }
  rest += decode(undefined, () => n + 1);
  if (rest !== '') yield [{ line: n + 1, text: rest.replace(/\r$/, '') }];
}
