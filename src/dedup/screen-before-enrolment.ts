// Live duplicate screening at the enrolment counter: the person being typed in is checked
// against the registry as enrolment would check them, and nothing is written but the audit
// entry for the candidates shown.
import { requireRegion } from '../shared/access';
import { assertKnownRegion, requirePurpose, storedPhone, type PersonInput } from '../registry';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { previewPerson, type ScreeningResult } from './enrolment-check';

/** Screens a person not yet saved (purpose enrolment, person:write in their region). */
export async function screenBeforeEnrolment(
  app: AppContext,
  caller: Caller,
  input: PersonInput,
): Promise<ScreeningResult> {
  requirePurpose(caller);
  if (caller.purpose !== 'enrolment')
    throw new DomainError(
      'PURPOSE_NOT_ALLOWED',
      'Screening a person before enrolment is allowed only for the purpose "enrolment".',
      'purpose',
    );
  assertKnownRegion(app, input.address.regionCode);
  requireRegion(caller.actor, 'person:write', input.address.regionCode, 'Region');
  const service = app.dedup;
  if (!service) return { outcome: 'distinct', candidates: [] };
  return app.db.transaction((trx) =>
    previewPerson(app, service, trx, caller, {
      id: app.newId(),
      registry_number: '',
      given_names: input.givenNames,
      surname1: input.surname1 ?? null,
      surname2: input.surname2 ?? null,
      birth_date: input.birthDate,
      sex: input.sex ?? null,
      region_code: input.address.regionCode,
      locality: input.address.locality ?? null,
      phone: input.phone ? storedPhone(app, input.phone) : null,
      attributes: JSON.stringify(input.attributes ?? {}),
      status: 'active',
    }),
  );
}
