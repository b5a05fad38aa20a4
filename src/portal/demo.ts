// What `serve --demo` prints for the portal: how to sign in to /me as a demo person.
import type { LoadDemo } from '../module';

/** Prints a demo person's registry number and date of birth, and where the code appears. */
export const loadPortalDemo: LoadDemo = async (app) => {
  const person = await app.db.kysely
    .selectFrom('persons')
    .select(['registry_number', 'birth_date', 'given_names', 'surname1', 'phone'])
    .where('status', '=', 'active')
    .where('phone', 'is not', null)
    .where('birth_date', 'like', '____-__-__')
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!person) return [];
  return [
    '',
    'Cardholder portal (/me): sign in as a demo person',
    `  ${person.given_names} ${person.surname1 ?? ''}: registry number ${person.registry_number}, date of birth ${person.birth_date}`,
    '  The one-time code is sent by SMS to the phone on record; in the demo it waits in the',
    '  outbox: sqlite3 <data dir>/tessera.db "select params from notice_outbox where template = \'portal_code\' order by created_at desc limit 1"',
    '  (with the SMS file gateway, the last line of <data dir>/notices/sms.jsonl).',
  ];
};
