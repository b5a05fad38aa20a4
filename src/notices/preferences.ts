// A person's notice preferences: the language they read (Spanish or English) and whether they
// want only essential notices (one-time codes and receipts still come: without them a code
// cannot be used, and a false receipt could not be found by the person). The cardholder
// portal calls these with the person signed in; a person with no row gets the deployment's
// default language and every notice.
import { z } from 'zod';
import type { Queryable } from '../db';
import type { AppContext } from '../shared/context';
import { noticeService } from './gateway';
import type { NoticeLanguage } from './templates';

/** A person's notice preferences. */
export interface NoticePreferences {
  personId: string;
  language: NoticeLanguage;
  optOutNonEssential: boolean;
  /** Null when the person never chose (the defaults). */
  updatedAt: string | null;
}

/** A change of preferences (either field, or both). */
export const noticePreferencesInput = z
  .object({
    language: z.enum(['es', 'en']).optional(),
    optOutNonEssential: z.boolean().optional(),
  })
  .strict();

/** A person's preferences, or the defaults. */
export async function getNoticePreferences(
  trx: Queryable,
  app: AppContext,
  personId: string,
): Promise<NoticePreferences> {
  const row = await trx
    .selectFrom('notice_preferences')
    .selectAll()
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row)
    return {
      personId,
      language: noticeService(app).settings.defaultLanguage,
      optOutNonEssential: false,
      updatedAt: null,
    };
  return {
    personId,
    language: row.language,
    optOutNonEssential: Number(row.opt_out_non_essential) === 1,
    updatedAt: row.updated_at,
  };
}

/** Sets a person's preferences (what is not given stays); returns them. */
export async function setNoticePreferences(
  trx: Queryable,
  app: AppContext,
  personId: string,
  change: z.input<typeof noticePreferencesInput>,
): Promise<NoticePreferences> {
  const parsed = noticePreferencesInput.parse(change);
  const current = await getNoticePreferences(trx, app, personId);
  const next = {
    person_id: personId,
    language: parsed.language ?? current.language,
    opt_out_non_essential: (parsed.optOutNonEssential ?? current.optOutNonEssential) ? 1 : 0,
    updated_at: app.now().toISOString(),
  };
  await trx
    .insertInto('notice_preferences')
    .values(next)
    .onConflict((oc) =>
      oc.column('person_id').doUpdateSet({
        language: next.language,
        opt_out_non_essential: next.opt_out_non_essential,
        updated_at: next.updated_at,
      }),
    )
    .execute();
  return {
    personId,
    language: next.language,
    optOutNonEssential: next.opt_out_non_essential === 1,
    updatedAt: next.updated_at,
  };
}
