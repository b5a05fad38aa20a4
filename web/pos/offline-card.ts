// The card check with no network: the pack's signed trust and revocation lists, read once per
// pack, and the same verifier the server and /verify run (src/credentials/verifier). The
// verdict is put in four plain words a counter needs — valid, expired, revoked, not genuine —
// plus "lists too old" when the revocation list is stale, with the verifier's reason kept.
import {
  readRevocationList,
  readTrustList,
  verifyCard,
  type CardVerdict,
  type RevocationList,
  type TrustList,
} from '../../src/credentials/verifier';
import type { Pack } from './pack';

/** A verdict in the words the counter shows. */
export type VerdictWord = 'valid' | 'expired' | 'revoked' | 'not_genuine' | 'stale' | 'not_yet';

/** The plain word for a verifier reason. */
export function verdictWord(reason: string): VerdictWord {
  switch (reason) {
    case 'VALID':
      return 'valid';
    case 'EXPIRED':
      return 'expired';
    case 'REVOKED':
      return 'revoked';
    case 'REVOCATION_LIST_STALE':
      return 'stale';
    case 'NOT_YET_VALID':
      return 'not_yet';
    default:
      return 'not_genuine';
  }
}

let lists: { packId: string; trust: TrustList; revocations: RevocationList } | undefined;

function document(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

/** Verifies a card's QR text with the pack's lists. */
export async function verifyWithPack(pack: Pack, qrText: string): Promise<CardVerdict> {
  if (lists?.packId !== pack.id) {
    const trust = await readTrustList(document(pack.trustList));
    const revocations = await readRevocationList(document(pack.revocationList), {
      keys: trust.keys,
    });
    lists = { packId: pack.id, trust, revocations };
  }
  return verifyCard(qrText, {
    trustList: lists.trust,
    revocations: lists.revocations,
    now: new Date(),
  });
}

/** The holder's name as the card itself gives it (packs name nobody). */
export function nameOnCard(verdict: CardVerdict): string | null {
  const c = verdict.claims;
  if (!c) return null;
  if (c.fullName) return c.fullName;
  const joined = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return joined || null;
}
