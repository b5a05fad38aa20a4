import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { csvCell, readCsvBatches, type CsvRecord } from './csv';
import { DomainError } from './errors';

async function parse(text: string, chunkSize = 7): Promise<CsvRecord[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const out: CsvRecord[] = [];
  for await (const batch of readCsvBatches(chunks())) out.push(...batch);
  return out;
}

function encode(rows: string[][], eol: string): string {
  return (
    rows
      .map((r) =>
        r.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f)).join(','),
      )
      .join(eol) + eol
  );
}

describe('CSV reader', () => {
  it('reads quoted fields, doubled quotes, embedded newlines and CRLF', async () => {
    const rows = await parse('a,b,c\r\n"x, y","he said ""hi""","two\nlines"\r\n1,,3\n');
    assert.deepEqual(rows, [
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'he said "hi"', 'two\nlines'] },
      { line: 4, fields: ['1', '', '3'] },
    ]);
  });

  it('reads a last line without a line end', async () => {
    assert.deepEqual(await parse('a,b\n1,2'), [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
    ]);
  });

  it('round-trips any table, whatever the chunk boundaries', async () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'ñ', ' ', ',', '"', '\n', '\r\n', 'x') });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom('\n', '\r\n'),
        async (rows, size, eol) => {
          const parsed = await parse(encode(rows, eol), size);
          assert.deepEqual(
            parsed.map((r) => r.fields),
            rows,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a character split across two chunks whole, and refuses bytes that are not UTF-8', async () => {
    const bytes = Buffer.from('nombre,apellido\nJosé,Bolívar Añez\n', 'utf8');
    async function* oneByte() {
      for (const b of bytes) yield Buffer.from([b]);
    }
    const out: CsvRecord[] = [];
    for await (const batch of readCsvBatches(oneByte())) out.push(...batch);
    assert.deepEqual(out[1]?.fields, ['José', 'Bolívar Añez']);
    async function* latin1() {
      yield Buffer.from('nombre\nJos', 'latin1');
      yield Buffer.from('é\n', 'latin1');
    }
    await assert.rejects(
      (async () => {
        for await (const _batch of readCsvBatches(latin1())) void _batch;
      })(),
      (e: unknown) =>
        e instanceof DomainError &&
        e.code === 'MALFORMED_CSV' &&
        /line 2: the file is not valid UTF-8/.test(e.message),
    );
  });

  it('names the line of a quoted field that is never closed', async () => {
    const lines = ['a,b'];
    for (let i = 2; i < 40000; i++) lines.push(`${i},x`);
    lines.push('40000,"broken');
    for (let i = 40001; i < 40010; i++) lines.push(`${i},y`);
    await assert.rejects(
      parse(lines.join('\n') + '\n', 4096),
      (e: unknown) =>
        e instanceof DomainError && e.code === 'MALFORMED_CSV' && e.field === 'line 40000',
    );
  });

  it('stops a runaway quoted field at the limit and names where it opened', async () => {
    const text = 'a,b\n1,"open\n' + 'z,z\n'.repeat(40000);
    await assert.rejects(
      parse(text, 1000),
      (e: unknown) =>
        e instanceof DomainError &&
        /line 2: a quoted field opened here is never closed/.test(e.message),
    );
  });

  it('refuses a stray quote inside an unquoted field and text after a closing quote', async () => {
    await assert.rejects(parse('a,b\nab"c,d\n'), /line 2: a quote inside an unquoted field/);
    await assert.rejects(parse('a,b\n"ab"c,d\n'), /line 2: unexpected text after a closing quote/);
  });
});

describe('CSV writer', () => {
  it('neutralises cells a spreadsheet would run as formulas, and nothing else', () => {
    assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('+cmd|/c calc'), "'+cmd|/c calc");
    assert.equal(csvCell('-2+3'), "'-2+3");
    assert.equal(csvCell('\tx'), "'\tx");
    // Phone numbers and signed numbers import back unchanged.
    assert.equal(csvCell('+584121234567'), '+584121234567');
    assert.equal(csvCell('-42'), '-42');
    assert.equal(csvCell('Calle 5, casa "B"'), '"Calle 5, casa ""B"""');
    assert.equal(csvCell('Bolívar'), 'Bolívar');
    assert.equal(csvCell(null), '');
  });

  it('writes what the reader reads back', async () => {
    const cells = ['=1+1', 'a,b', 'x"y', '+58412', 'línea'];
    const line = `${cells.map(csvCell).join(',')}\n`;
    const records: CsvRecord[] = [];
    async function* chunks() {
      yield Buffer.from(line, 'utf8');
    }
    for await (const batch of readCsvBatches(chunks())) records.push(...batch);
    assert.deepEqual(records[0]?.fields, ["'=1+1", 'a,b', 'x"y', '+58412', 'línea']);
  });
});
