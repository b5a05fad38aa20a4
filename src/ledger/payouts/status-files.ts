// Reads a provider's ISO 20022 report into status lines: a `pain.002` customer payment status
// report (each TxInfAndSts: OrgnlEndToEndId, TxSts, the reason, the original amount), or a
// `camt.054` debit/credit notification (each entry's transaction details: EndToEndId, the
// amount, booked or pending, returned or not). The whole file is read and checked before
// anything is applied, so a file that is wrong anywhere writes nothing; each error names the
// line and the element.
import { DomainError } from '../../shared/errors';
import { statusReportBytesMax } from './limits';
import { decimalToMinor } from './money-text';
import type { StatusLine } from './status-apply';
import { child, childrenNamed, readXmlRecords, type XmlNode } from './xml-reader';

const versions = (message: string, from: number, to: number) =>
  Array.from(
    { length: to - from + 1 },
    (_, k) => `urn:iso:std:iso:20022:tech:xsd:${message}.001.${String(from + k).padStart(2, '0')}`,
  );

/** The pain.002 versions read (their status lines have one shape). */
export const pain002Namespaces = versions('pain.002', 3, 14);
/** The camt.054 versions read. */
export const camt054Namespaces = versions('camt.054', 2, 13);

/** A report read: its kind, message id, and lines. */
export interface StatusFile {
  kind: 'pain.002' | 'camt.054';
  messageId: string;
  /** pain.002 only: the original message (our export) and its group status. */
  originalMessageId: string | null;
  /** Set when the provider rejected the original message whole (GrpSts RJCT, no lines). */
  groupRejected: string | null;
  lines: StatusLine[];
}

// pain.002 transaction statuses (ExternalPaymentTransactionStatus1Code): what each means here.
const settledCodes = new Set(['ACSC', 'ACCC']);
const failedCodes = new Set(['RJCT', 'CANC']);
const pendingCodes = new Set([
  'ACTC',
  'ACCP',
  'ACSP',
  'ACWC',
  'ACWP',
  'ACFC',
  'ACIS',
  'ACPD',
  'ACCR',
  'PDNG',
  'RCVD',
  'PART',
  'PATC',
  'PRES',
  'BLCK',
]);

function need(node: XmlNode, path: string): string {
  const found = child(node, path);
  if (!found || found.text === '')
    throw new DomainError(
      'MALFORMED_XML',
      `Line ${node.line}: ${node.name} has no ${path}.`,
      `line ${node.line}`,
    );
  return found.text;
}

function amountOf(node: XmlNode | undefined): { amount: bigint; currency: string } | null {
  if (!node) return null;
  const currency = node.attributes.Ccy;
  if (!currency || !/^[A-Z]{3}$/.test(currency))
    throw new DomainError(
      'MALFORMED_XML',
      `Line ${node.line}: ${node.name} has no currency (Ccy).`,
      `line ${node.line}`,
    );
  const amount = decimalToMinor(node.text, currency);
  if (amount === null)
    throw new DomainError(
      'MALFORMED_XML',
      `Line ${node.line}: ${node.name} "${node.text.slice(0, 40)}" is not an amount in ${currency}.`,
      `line ${node.line}`,
    );
  return { amount, currency };
}

/** Reads a pain.002 or camt.054 file into status lines, or refuses it naming where. */
export function readStatusFile(bytes: Uint8Array): StatusFile {
  let head: string;
  try {
    head = new TextDecoder('utf-8', { fatal: true }).decode(bytes).slice(0, 4096);
  } catch {
    throw new DomainError('MALFORMED_XML', 'The file is not UTF-8 text.', 'line 1');
  }
  if (/camt\.054\.001\./.test(head)) return readCamt054(bytes);
  if (/pain\.002\.001\./.test(head)) return readPain002(bytes);
  throw new DomainError(
    'MALFORMED_XML',
    'Line 1: not a pain.002 status report or a camt.054 notification (by its namespace).',
    'line 1',
  );
}

function readPain002(bytes: Uint8Array): StatusFile {
  const lines: StatusLine[] = [];
  const read = readXmlRecords(bytes, {
    namespaces: pain002Namespaces,
    records: new Set(['TxInfAndSts']),
    bytesMax: statusReportBytesMax,
    onRecord: (node, context) => {
      const endToEndId = need(node, 'OrgnlEndToEndId');
      const status = child(node, 'TxSts')?.text ?? context.get('PmtInfSts') ?? '';
      if (!settledCodes.has(status) && !failedCodes.has(status) && !pendingCodes.has(status))
        throw new DomainError(
          'MALFORMED_XML',
          `Line ${node.line}: TxInfAndSts has no known TxSts ("${status.slice(0, 8)}").`,
          `line ${node.line}`,
        );
      const original = amountOf(child(node, 'OrgnlTxRef/Amt/InstdAmt'));
      const reason =
        child(node, 'StsRsnInf/Rsn/Cd')?.text ?? child(node, 'StsRsnInf/Rsn/Prtry')?.text;
      lines.push({
        at: `line ${node.line}`,
        endToEndId,
        outcome: settledCodes.has(status)
          ? 'settled'
          : failedCodes.has(status)
            ? 'failed'
            : 'pending',
        reason: failedCodes.has(status) ? (reason ?? status).slice(0, 35) : null,
        amount: original?.amount ?? null,
        currency: original?.currency ?? null,
      });
    },
  });
  const root = 'Document/CstmrPmtStsRpt';
  const messageId = read.header.get(`${root}/GrpHdr/MsgId`);
  const originalMessageId = read.header.get(`${root}/OrgnlGrpInfAndSts/OrgnlMsgId`);
  if (!messageId || !originalMessageId)
    throw new DomainError(
      'MALFORMED_XML',
      'Line 1: a pain.002 needs CstmrPmtStsRpt/GrpHdr/MsgId and OrgnlGrpInfAndSts/OrgnlMsgId.',
      'line 1',
    );
  const groupStatus = read.header.get(`${root}/OrgnlGrpInfAndSts/GrpSts`) ?? null;
  return {
    kind: 'pain.002',
    messageId,
    originalMessageId,
    groupRejected: groupStatus === 'RJCT' && lines.length === 0 ? originalMessageId : null,
    lines,
  };
}

function readCamt054(bytes: Uint8Array): StatusFile {
  const lines: StatusLine[] = [];
  const read = readXmlRecords(bytes, {
    namespaces: camt054Namespaces,
    records: new Set(['Ntry']),
    bytesMax: statusReportBytesMax,
    onRecord: (entry) => {
      const status = child(entry, 'Sts/Cd')?.text ?? child(entry, 'Sts')?.text ?? '';
      if (!['BOOK', 'PDNG', 'INFO', 'FUTR'].includes(status))
        throw new DomainError(
          'MALFORMED_XML',
          `Line ${entry.line}: Ntry has no known Sts ("${status.slice(0, 8)}").`,
          `line ${entry.line}`,
        );
      const direction = need(entry, 'CdtDbtInd');
      if (direction !== 'DBIT' && direction !== 'CRDT')
        throw new DomainError(
          'MALFORMED_XML',
          `Line ${entry.line}: CdtDbtInd is DBIT or CRDT.`,
          `line ${entry.line}`,
        );
      const reversal = child(entry, 'RvslInd')?.text === 'true';
      const entryAmount = amountOf(child(entry, 'Amt'));
      const details = childrenNamed(entry, 'NtryDtls').flatMap((d) => childrenNamed(d, 'TxDtls'));
      for (const tx of details) {
        const endToEndId = need(tx, 'Refs/EndToEndId');
        const returned = child(tx, 'RtrInf') !== undefined || direction === 'CRDT' || reversal;
        const amount =
          amountOf(child(tx, 'Amt')) ??
          amountOf(child(tx, 'AmtDtls/TxAmt/Amt')) ??
          amountOf(child(tx, 'AmtDtls/InstdAmt/Amt')) ??
          (details.length === 1 ? entryAmount : null);
        const reason =
          child(tx, 'RtrInf/Rsn/Cd')?.text ?? child(tx, 'RtrInf/Rsn/Prtry')?.text ?? 'returned';
        lines.push({
          at: `line ${tx.line}`,
          endToEndId,
          outcome: status !== 'BOOK' ? 'pending' : returned ? 'failed' : 'settled',
          reason: returned ? reason.slice(0, 35) : null,
          amount: amount?.amount ?? null,
          currency: amount?.currency ?? null,
        });
      }
    },
  });
  const messageId = read.header.get('Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId');
  if (!messageId)
    throw new DomainError(
      'MALFORMED_XML',
      'Line 1: a camt.054 needs BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId.',
      'line 1',
    );
  return { kind: 'camt.054', messageId, originalMessageId: null, groupRejected: null, lines };
}
