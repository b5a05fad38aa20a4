// One export as an ISO 20022 `pain.001.001.09` customer credit transfer initiation: a group
// header, one payment information block (the programme's account at the provider as debtor),
// and one credit transfer per person. NbOfTxs and CtrlSum come first in the file, so they are
// computed by one aggregate query before any item is read; the items then stream out a page
// at a time, read by key, so that memory stays flat at any size.
import type { Writable } from 'node:stream';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Queryable } from '../../db';
import { readAmount } from '../amount';
import type { PayoutBatchesTable, PayoutExportsTable } from '../tables';
import { payoutPageRows } from './limits';
import { minorToDecimal } from './money-text';
import { debtorScheme, isBic, type Provider } from './providers';
import { XmlStreamWriter } from './xml-writer';

/** The namespace of the messages written. */
export const pain001Namespace = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

/** Count and total of an export's items: the header's NbOfTxs and CtrlSum. */
export async function exportTotals(
  db: Queryable,
  exportId: string,
): Promise<{ count: number; total: bigint }> {
  const row = await db
    .selectFrom('payout_items')
    .select([
      sql<number>`count(*)`.as('n'),
      sql<bigint | number | null>`cast(sum(amount_minor) as bigint)`.as('total'),
    ])
    .where('export_id', '=', exportId)
    .executeTakeFirstOrThrow();
  return { count: row.n, total: row.total === null ? 0n : readAmount(row.total, 'total') };
}

/** One line of the file: an item with the destination it was approved with. */
export interface ExportLine {
  id: string;
  amount: bigint;
  endToEndId: string;
  scheme: 'iban' | 'account' | 'msisdn';
  account: string;
  holderName: string;
}

/** The lines of an export, a page at a time, in item id order. */
export async function* exportLines(db: Queryable, exportId: string): AsyncGenerator<ExportLine[]> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('payout_items as i')
      .innerJoin('payout_destinations as d', 'd.id', 'i.destination_id')
      .select([
        'i.id',
        'i.amount_minor',
        'i.end_to_end_id',
        'd.scheme',
        'd.account',
        'd.holder_name',
      ])
      .where('i.export_id', '=', exportId)
      .where('i.id', '>', after)
      .orderBy('i.id')
      .limit(payoutPageRows)
      .execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((r) => ({
      id: r.id,
      amount: readAmount(r.amount_minor, 'amount_minor'),
      endToEndId: r.end_to_end_id,
      scheme: r.scheme,
      account: r.account,
      holderName: r.holder_name,
    }));
  }
}

function agent(w: XmlStreamWriter, agentId: string): void {
  w.start('FinInstnId');
  if (isBic(agentId)) w.leaf('BICFI', agentId);
  else {
    w.start('Othr');
    w.leaf('Id', agentId);
    w.end();
  }
  w.end();
}

function account(w: XmlStreamWriter, scheme: 'iban' | 'account' | 'msisdn', id: string): void {
  w.start('Id');
  if (scheme === 'iban') w.leaf('IBAN', id);
  else {
    w.start('Othr');
    w.leaf('Id', scheme === 'msisdn' ? id.replace(/^\+/, '') : id);
    if (scheme === 'msisdn') {
      w.start('SchmeNm');
      w.leaf('Prtry', 'MSISDN');
      w.end();
    }
    w.end();
  }
  w.end();
}

/** Writes an export as pain.001.001.09 to a stream; returns what its header declared. */
export async function writePain001(
  db: Queryable,
  out: Writable,
  exported: Selectable<PayoutExportsTable>,
  batch: Selectable<PayoutBatchesTable>,
  provider: Provider,
): Promise<{ count: number; total: bigint }> {
  const { count, total } = await exportTotals(db, exported.id);
  const ccy = batch.currency;
  const w = new XmlStreamWriter(out);
  w.declaration();
  w.start('Document', { xmlns: pain001Namespace });
  w.start('CstmrCdtTrfInitn');
  w.start('GrpHdr');
  w.leaf('MsgId', exported.id);
  w.leaf('CreDtTm', exported.created_at);
  w.leaf('NbOfTxs', String(count));
  w.leaf('CtrlSum', minorToDecimal(total, ccy));
  w.start('InitgPty');
  w.leaf('Nm', provider.debtorName);
  w.end();
  w.end();
  w.start('PmtInf');
  w.leaf('PmtInfId', exported.id);
  w.leaf('PmtMtd', 'TRF');
  w.leaf('NbOfTxs', String(count));
  w.leaf('CtrlSum', minorToDecimal(total, ccy));
  w.start('ReqdExctnDt');
  w.leaf('Dt', batch.execution_date);
  w.end();
  w.start('Dbtr');
  w.leaf('Nm', provider.debtorName);
  w.end();
  w.start('DbtrAcct');
  account(w, debtorScheme(provider.debtorAccount), provider.debtorAccount);
  w.end();
  w.start('DbtrAgt');
  agent(w, provider.agentId);
  w.end();
  let written = 0;
  let sum = 0n;
  for await (const page of exportLines(db, exported.id)) {
    for (const line of page) {
      written += 1;
      sum += line.amount;
      w.start('CdtTrfTxInf');
      w.start('PmtId');
      w.leaf('InstrId', line.endToEndId);
      w.leaf('EndToEndId', line.endToEndId);
      w.end();
      w.start('Amt');
      w.leaf('InstdAmt', minorToDecimal(line.amount, ccy), { Ccy: ccy });
      w.end();
      w.start('CdtrAgt');
      agent(w, provider.agentId);
      w.end();
      w.start('Cdtr');
      w.leaf('Nm', line.holderName);
      w.end();
      w.start('CdtrAcct');
      account(w, line.scheme, line.account);
      w.end();
      w.start('RmtInf');
      w.leaf('Ustrd', batch.label);
      w.end();
      w.end();
    }
    await w.flushIfFull();
  }
  if (written !== count || sum !== total)
    throw new Error(
      `invariant violated: export ${exported.id} declared ${count} items (${total}) but wrote ${written} (${sum})`,
    );
  w.end();
  w.end();
  w.end();
  await w.finish();
  return { count, total };
}
