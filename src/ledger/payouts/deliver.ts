// The adapters that hand an export to its provider. `folder` writes the pain.001 file to the
// provider's subfolder (under a temporary name, fsynced, then renamed, so a reader never sees
// half a file); `http` writes the same file and posts it to the provider's endpoint as the
// request body, streamed; `g2p` posts G2P Connect /disburse messages of up to 1,000
// disbursements each. Running an undelivered export again sends the same file or messages:
// the provider recognises the message id (and, in G2P, each reference_id) as already seen.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Selectable } from 'kysely';
import type { Queryable } from '../../db';
import { DomainError } from '../../shared/errors';
import type { AppContext } from '../../shared/context';
import type { PayoutBatchesTable, PayoutExportsTable } from '../tables';
import { g2pAck, g2pDisbursement, g2pHeader, type G2pDisbursement } from './g2p-messages';
import { g2pDisbursementsPerMessage, providerTimeoutMs } from './limits';
import { exportLines } from './pain001';
import { writePain001 } from './pain001';
import type { Provider } from './providers';
import { payoutFolder, providerToken } from './settings';

async function writeFileDurably(
  db: Queryable,
  path: string,
  exported: Selectable<PayoutExportsTable>,
  batch: Selectable<PayoutBatchesTable>,
  provider: Provider,
): Promise<void> {
  const temporary = `${path}.part`;
  const out = createWriteStream(temporary, { mode: 0o600 });
  try {
    await writePain001(db, out, exported, batch, provider);
    out.end();
    await finished(out);
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
  const handle = await open(temporary, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

/** Where an export's file is written: `<payout folder>/<subfolder>/<export id>.xml`. */
export function exportFilePath(app: AppContext, provider: Provider, exportId: string): string {
  const folder = provider.adapter === 'folder' ? provider.endpoint : `outbox-${provider.id}`;
  return join(payoutFolder(app), folder, `${exportId}.xml`);
}

async function post(
  url: string,
  token: string | null,
  contentType: string,
  body: string | Readable,
  length?: number,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (token) headers.authorization = `Bearer ${token}`;
  if (length !== undefined) headers['content-length'] = String(length);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : (Readable.toWeb(body) as ReadableStream),
      signal: AbortSignal.timeout(providerTimeoutMs),
      ...(typeof body === 'string' ? {} : { duplex: 'half' }),
    } as RequestInit);
  } catch (error) {
    throw new DomainError(
      'INVALID_STATE',
      `The provider at ${new URL(url).origin} did not answer: ${(error as Error).message}. Export again to resend.`,
      'endpoint',
    );
  }
  const text = (await response.text()).slice(0, 2000);
  return { status: response.status, text };
}

/** Hands an export to its provider; returns what to record of the delivery. */
export async function deliverExport(
  app: AppContext,
  exported: Selectable<PayoutExportsTable>,
  batch: Selectable<PayoutBatchesTable>,
  provider: Provider,
): Promise<string> {
  const db = app.db.kysely;
  if (provider.adapter === 'g2p') return deliverG2p(app, exported, batch, provider);
  const path = exportFilePath(app, provider, exported.id);
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  await writeFileDurably(db, path, exported, batch, provider);
  if (provider.adapter === 'folder') return `file ${path}`;
  const size = (await stat(path)).size;
  const answer = await post(
    provider.endpoint,
    providerToken(provider.authTokenEnv),
    'application/xml',
    createReadStream(path),
    size,
  );
  if (answer.status < 200 || answer.status >= 300)
    throw new DomainError(
      'INVALID_STATE',
      `The provider refused the file (HTTP ${answer.status}). Export again to resend.`,
      'endpoint',
      { status: answer.status },
    );
  return `http ${answer.status}`;
}

async function deliverG2p(
  app: AppContext,
  exported: Selectable<PayoutExportsTable>,
  batch: Selectable<PayoutBatchesTable>,
  provider: Provider,
): Promise<string> {
  const token = providerToken(provider.authTokenEnv);
  const url = `${provider.endpoint.replace(/\/$/, '')}/disburse`;
  let part = 0;
  let pending: G2pDisbursement[] = [];
  const send = async () => {
    if (pending.length === 0) return;
    part += 1;
    const messageId = `${exported.id}-${part}`;
    const body = {
      header: g2pHeader(provider, messageId, 'disburse', app.now().toISOString(), pending.length),
      message: { transaction_id: exported.id, disbursements: pending },
    };
    pending = [];
    const answer = await post(url, token, 'application/json', JSON.stringify(body));
    let ack: ReturnType<typeof g2pAck.parse> | null = null;
    try {
      ack = g2pAck.parse(JSON.parse(answer.text));
    } catch {
      ack = null;
    }
    const duplicate = ack?.message.error?.code === 'rjct.message_id.duplicate';
    if (
      answer.status < 200 ||
      answer.status >= 300 ||
      !ack ||
      (ack.message.ack_status === 'ERR' && !duplicate)
    )
      throw new DomainError(
        'INVALID_STATE',
        `The provider did not acknowledge message ${messageId} (HTTP ${answer.status}${ack ? `, ${ack.message.ack_status}` : ''}). Export again to resend.`,
        'endpoint',
      );
  };
  for await (const page of exportLines(app.db.kysely, exported.id)) {
    for (const line of page) {
      pending.push(g2pDisbursement(provider, line, batch.currency, batch.label));
      if (pending.length >= g2pDisbursementsPerMessage) await send();
    }
  }
  await send();
  return `g2p ${part} message${part === 1 ? '' : 's'}`;
}
