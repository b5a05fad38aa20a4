// The trust and revocation lists a point of service checks cards against, parsed once and kept
// for a few seconds: every redemption by card needs them, and parsing two signed documents per
// request would cost more than the redemption. A revocation reaches every point within
// `listSeconds`; a device offline relies on its pack's copy, as old as its last download.
import {
  currentRevocationList,
  currentTrustList,
  readRevocationList,
  readTrustList,
  verifyCard,
  type CardVerdict,
  type RevocationList,
  type TrustList,
} from '../credentials';
import type { AppContext } from '../shared/context';

/** How long parsed lists are reused. */
export const listSeconds = 5;

interface Lists {
  at: number;
  trustList: TrustList;
  revocations: RevocationList;
}
const cache = new WeakMap<AppContext, Promise<Lists>>();

async function load(app: AppContext): Promise<Lists> {
  const trustList = await readTrustList(await currentTrustList(app));
  const revocations = await readRevocationList(await currentRevocationList(app), {
    keys: trustList.keys,
  });
  return { at: Date.now(), trustList, revocations };
}

/** Verifies presented QR text as the server sees the lists now. */
export async function verifyAtPoint(app: AppContext, qrText: string): Promise<CardVerdict> {
  let lists = cache.get(app);
  if (!lists || Date.now() - (await lists).at > listSeconds * 1000) {
    lists = load(app);
    cache.set(app, lists);
    lists.catch(() => cache.delete(app));
  }
  const { trustList, revocations } = await lists;
  return verifyCard(qrText, { trustList, revocations, now: app.now() });
}
