// The editor's count: a text (a wording, its placeholders filled with realistic values of its
// event) as a phone receives it — encoding, parts, units in each — and what sending it to a
// number of people costs at the configured price per part, in integer minor units.
import { z } from 'zod';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { noticeService } from './gateway';
import { countSegments, sendCost, type SegmentCount } from './segments';
import {
  fillText,
  noticeEventNames,
  noticeEvents,
  sampleValues,
  type NoticeEvent,
} from './templates';

/** What the editor asks. */
export const previewInput = z
  .object({
    text: z.string().max(2000),
    event: z.enum(noticeEventNames as [NoticeEvent, ...NoticeEvent[]]).optional(),
    recipients: z.number().int().min(0).max(100_000_000).default(1),
  })
  .strict();

/** What the editor shows. */
export interface Preview extends SegmentCount {
  /** The text as counted, placeholders filled. */
  filled: string;
  recipients: number;
  /** Minor units, as decimal strings (money is never a float). */
  pricePerPartMinor: string;
  costMinor: string;
}

/** Counts a text as the editor shows it. */
export function previewText(
  app: AppContext,
  caller: Caller,
  input: z.output<typeof previewInput>,
): Preview {
  requirePermission(caller.actor, 'notice:template');
  const known: readonly string[] = input.event ? noticeEvents[input.event].values : [];
  const values = Object.fromEntries(known.map((k) => [k, sampleValues[k] ?? k]));
  // Placeholders the event does not know stay as written (the save refuses them).
  const filled = input.text.replace(/\{(\w+)\}/g, (m, k: string) =>
    known.includes(k) ? fillText(`{${k}}`, values, 'preview') : m,
  );
  const counted = countSegments(filled);
  const price = noticeService(app).settings.pricePerPartMinor;
  return {
    ...counted,
    filled,
    recipients: input.recipients,
    pricePerPartMinor: price.toString(),
    costMinor: sendCost(counted.parts, input.recipients, price).toString(),
  };
}
