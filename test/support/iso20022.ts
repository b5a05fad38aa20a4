// What a bank sends back, for tests: pain.002 status reports and camt.054 notifications built
// from lines, and xmllint's schema check of a file against the official ISO 20022 XSDs
// copied into test/fixtures/iso20022 (Debian's libxml2-utils; skipped, with the reason, where
// it is not installed).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('../fixtures/iso20022/', import.meta.url));

/** The path of an official XSD copied into the fixtures, or null when it is not there. */
export function xsdPath(name: string): string | null {
  const path = `${fixtures}${name}`;
  return existsSync(path) ? path : null;
}

/** Whether xmllint is installed. */
export function hasXmllint(): boolean {
  return ['/usr/bin/xmllint', '/usr/local/bin/xmllint'].some((p) => existsSync(p));
}

/** Runs `xmllint --noout --schema XSD FILE`: its exit code and what it printed. */
export function xmllint(xsd: string, file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'xmllint',
      ['--noout', '--nonet', '--schema', xsd, file],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** One line of a pain.002. */
export interface Pain002Line {
  endToEndId: string;
  status: string;
  reason?: string;
  amount?: string;
  currency?: string;
}

/** A pain.002.001.11 status report for an export. */
export function pain002(
  messageId: string,
  originalMessageId: string,
  lines: Pain002Line[],
): string {
  const tx = lines
    .map(
      (l, i) => `
      <TxInfAndSts>
        <StsId>S${i + 1}</StsId>
        <OrgnlEndToEndId>${l.endToEndId}</OrgnlEndToEndId>
        <TxSts>${l.status}</TxSts>${
          l.reason ? `\n        <StsRsnInf><Rsn><Cd>${l.reason}</Cd></Rsn></StsRsnInf>` : ''
        }${
          l.amount
            ? `\n        <OrgnlTxRef><Amt><InstdAmt Ccy="${l.currency ?? 'VES'}">${l.amount}</InstdAmt></Amt></OrgnlTxRef>`
            : ''
        }
      </TxInfAndSts>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>${messageId}</MsgId>
      <CreDtTm>2026-11-30T09:00:00Z</CreDtTm>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>${originalMessageId}</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>${originalMessageId}</OrgnlPmtInfId>${tx}
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
`;
}

/** One entry of a camt.054: a debit booked for a payment, or a return credited back. */
export interface Camt054Line {
  endToEndId: string;
  amount: string;
  returned?: string;
}

/** A camt.054.001.08 debit/credit notification of the programme's account. */
export function camt054(messageId: string, account: string, lines: Camt054Line[]): string {
  const entries = lines
    .map(
      (l) => `
      <Ntry>
        <Amt Ccy="VES">${l.amount}</Amt>
        <CdtDbtInd>${l.returned ? 'CRDT' : 'DBIT'}</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BkTxCd><Prtry><Cd>PMNT</Cd></Prtry></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>${l.endToEndId}</EndToEndId></Refs>
            <Amt Ccy="VES">${l.amount}</Amt>${
              l.returned ? `\n            <RtrInf><Rsn><Cd>${l.returned}</Cd></Rsn></RtrInf>` : ''
            }
          </TxDtls>
        </NtryDtls>
      </Ntry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr>
      <MsgId>${messageId}</MsgId>
      <CreDtTm>2026-11-30T09:00:00Z</CreDtTm>
    </GrpHdr>
    <Ntfctn>
      <Id>${messageId}-1</Id>
      <Acct><Id><Othr><Id>${account}</Id></Othr></Id></Acct>${entries}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
`;
}

/** An IBAN with the right check digits for a country and domestic account (BBAN). */
export function iban(country: string, bban: string): string {
  const digits = [...`${bban}${country}00`]
    .map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c))
    .join('');
  const check = 98n - (BigInt(digits) % 97n);
  return `${country}${check.toString().padStart(2, '0')}${bban}`;
}
