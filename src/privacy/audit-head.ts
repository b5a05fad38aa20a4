// The signed head of the audit chain, published so that it can be kept outside the database.
//
// Seals live in the database, so whoever can write to it can delete the newest entries
// together with their seals, and the shortened log still verifies. A head copied out — to a
// file in another office, a printed register (`tessera audit anchor`) — is an anchor: `tessera
// audit verify --anchor FILE` fails when the log no longer reaches it. The head is the newest
// seal as signed: chain index, entry hash, time, key id and signature, and nothing personal,
// so it is served to anyone at GET /api/v1/audit/head.
import { z } from 'zod';
import type { Queryable } from '../db';
import { DomainError } from '../shared/errors';
import { verifySeal, type AuditSeal } from './audit-chain';
import type { PinnedSealKeys } from './pinned-seal-keys';

/** The format marker of a published head and of an anchor file. */
export const auditHeadType = 'tessera.audit.head.v1';

/** A signed chain head as published and as kept in an anchor file. */
export type AuditHead = AuditSeal & { type: typeof auditHeadType };

/** Largest anchor file read: a head is a few hundred bytes. */
export const anchorFileBytesMax = 64 * 1024;

/** The published head's shape (for the route's response and for reading anchor files). */
export const auditHeadSchema = z
  .object({
    type: z.literal(auditHeadType),
    chainIndex: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    headHash: z.string().regex(/^[0-9a-f]{64}$/),
    sealedAt: z.string().min(1).max(40),
    keyId: z.string().min(1).max(100),
    signature: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/),
  })
  .strict();

/** The newest seal as a publishable head; null while nothing is sealed. */
export async function readAuditHead(db: Queryable): Promise<AuditHead | null> {
  const row = await db
    .selectFrom('audit_seals')
    .selectAll()
    .orderBy('chain_index', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    type: auditHeadType,
    chainIndex: Number(row.chain_index),
    headHash: row.head_hash,
    sealedAt: row.sealed_at,
    keyId: row.key_id,
    signature: row.signature,
  };
}

/** The head for the public route; NOT_FOUND while nothing is sealed. */
export async function publishedAuditHead(db: Queryable): Promise<AuditHead> {
  const head = await readAuditHead(db);
  if (!head) throw new DomainError('NOT_FOUND', 'Nothing in the audit log is sealed yet.');
  return head;
}

/** Reads a head from JSON text (an anchor file, a fetched head), naming `source` when it is not one. */
export function parseAuditHead(text: string, source: string): AuditHead {
  if (Buffer.byteLength(text) > anchorFileBytesMax) {
    throw new DomainError('VALIDATION_FAILED', `${source} is not an audit head: it is too large`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DomainError('VALIDATION_FAILED', `${source} is not an audit head: not JSON`);
  }
  const result = auditHeadSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.join('.') || 'the head';
    throw new DomainError(
      'VALIDATION_FAILED',
      `${source} is not an audit head: ${path}: ${issue.message}`,
    );
  }
  return result.data;
}

/** Why a head cannot be trusted (its key is not pinned, or its signature is bad), or null. */
export function headTrustProblem(head: AuditSeal, pinned: PinnedSealKeys): string | null {
  const key = pinned.keys.get(head.keyId);
  if (!key)
    return `the head #${head.chainIndex} is signed by key ${head.keyId}, which is not pinned in ${pinned.source}`;
  if (!verifySeal(head, key))
    return `the head #${head.chainIndex} has an invalid signature (key ${head.keyId})`;
  return null;
}

/** The anchor file's text: the head, one JSON object, with a newline. */
export function anchorFileText(head: AuditHead): string {
  const { type, chainIndex, headHash, sealedAt, keyId, signature } = head;
  return `${JSON.stringify({ type, chainIndex, headHash, sealedAt, keyId, signature }, null, 2)}\n`;
}
