// Pieces the enrolment screens share: the fields of a new person (named like the API body,
// dotted for nested fields), turning a form's dotted names into the body, relationships and
// field agreements in words, and finding a person by registry number.
import { useState } from 'preact/hooks';
import { api, type ApiError } from '../../api';
import { t, type MessageKey } from '../../i18n';
import { allRegions, regionName } from '../../format';
import { SelectField, TextField, type Session } from '../../ui';
import '../../enrolment.css';

/** The relationships to the head of household the registry knows. */
export { relationships } from '../../../../src/registry/relationships';
import { relationships } from '../../../../src/registry/relationships';

/** A relationship in words. */
export function relationshipWords(code: string): string {
  const key = `enrolment.rel.${code}` as MessageKey;
  return (relationships as readonly string[]).includes(code) ? t(key) : code;
}

/** The relationships as select options (the head is set with its own action). */
export function relationshipOptions(withHead = false) {
  return relationships
    .filter((r) => withHead || r !== 'head')
    .map((r) => ({ value: r, label: relationshipWords(r) }));
}

/** A form's values with dotted names (`address.regionCode`) as nested objects. */
export function nest(values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const parts = key.split('.');
    let at = out;
    for (const part of parts.slice(0, -1)) {
      at[part] ??= {};
      at = at[part] as Record<string, unknown>;
    }
    at[parts[parts.length - 1]!] = value;
  }
  return out;
}

/** Regions where the session holds `permission`, as select options by name. */
export function regionOptions(session: Session, permission: string) {
  const grant = session.permissions.find((p) => p.permission === permission);
  const held = grant?.regions ?? [];
  return allRegions()
    .filter((r) => held === '*' || held.includes(r.code))
    .map((r) => ({ value: r.code, label: r.name }));
}

/** A person as the API presents one (the fields these screens show). */
export interface PersonView {
  id: string;
  registryNumber: string;
  givenNames: string;
  surname1: string | null;
  surname2: string | null;
  birthDate: string;
  sex: string | null;
  status: string;
  phone?: string | null;
  address?: { regionCode: string; locality: string | null; line: string | null };
  householdId?: string | null;
}

/** A person's full name. */
export function fullName(p: {
  givenNames: string;
  surname1?: string | null;
  surname2?: string | null;
}): string {
  return [p.givenNames, p.surname1, p.surname2].filter(Boolean).join(' ');
}

/** Finds a person by registry number (purpose enrolment); a miss names the field. */
export async function personByNumber(number: string): Promise<PersonView> {
  return api<PersonView>('GET', `/api/v1/persons/by-number/${encodeURIComponent(number)}`, {
    purpose: 'enrolment',
  });
}

/** The fields of a new person; `prefix` (`child.`) for a person inside a larger body. */
export function PersonFields(props: {
  session: Session;
  error: ApiError | null;
  prefix?: string;
  defaults?: { regionCode?: string; locality?: string; line?: string; surname1?: string };
}) {
  const p = props.prefix ?? '';
  const field = (name: string) => `${p}${name}`;
  const regions = regionOptions(props.session, 'person:write');
  const d = props.defaults ?? {};
  const [region, setRegion] = useState(
    d.regionCode ?? (regions.length === 1 ? regions[0]!.value : ''),
  );
  return (
    <>
      <TextField
        label={t('enrolment.givenNames')}
        name={field('givenNames')}
        required
        maxLength={60}
        autoComplete="off"
        error={props.error}
      />
      <TextField
        label={t('enrolment.surname1')}
        name={field('surname1')}
        maxLength={60}
        autoComplete="off"
        defaultValue={d.surname1}
        error={props.error}
      />
      <TextField
        label={t('enrolment.surname2')}
        name={field('surname2')}
        maxLength={60}
        autoComplete="off"
        error={props.error}
      />
      <TextField
        label={t('enrolment.birthDate')}
        name={field('birthDate')}
        required
        inputMode="numeric"
        pattern="\d{4}(-\d{2}(-\d{2})?)?"
        placeholder={t('enrolment.birthDate.placeholder')}
        hint={t('enrolment.birthDate.hint')}
        error={props.error}
      />
      <SelectField
        label={t('enrolment.sex')}
        name={field('sex')}
        placeholder={t('enrolment.sex.unknown')}
        options={['F', 'M', 'X'].map((s) => ({ value: s, label: t(`sex.${s}` as MessageKey) }))}
        error={props.error}
      />
      <SelectField
        label={t('common.region')}
        name={field('address.regionCode')}
        required
        value={region}
        onChange={setRegion}
        placeholder={t('enrolment.region.choose')}
        options={regions}
        error={props.error}
      />
      <TextField
        label={t('enrolment.locality')}
        name={field('address.locality')}
        maxLength={200}
        defaultValue={d.locality}
        error={props.error}
      />
      <TextField
        label={t('enrolment.addressLine')}
        name={field('address.line')}
        maxLength={200}
        defaultValue={d.line}
        error={props.error}
      />
      <TextField
        label={t('enrolment.phone')}
        name={field('phone')}
        type="tel"
        inputMode="tel"
        autoComplete="off"
        hint={t('enrolment.phone.hint')}
        error={props.error}
      />
    </>
  );
}

import type { ScreenedField as FieldReason } from '../../../../src/dedup/field-agreements';
export type {
  FieldAgreement as Agreement,
  ComparedField,
  ScreenedField as FieldReason,
} from '../../../../src/dedup/field-agreements';
/** The matcher's explanation items as field agreements (as the screening route gives them). */
export { fieldAgreements as reasonsOf } from '../../../../src/dedup/field-agreements';

/** "Names agree, birth date nearly agrees, …" */
export function reasonSentence(reasons: readonly FieldReason[]): string {
  return reasons
    .map((r) =>
      t(`enrolment.agreement.${r.agreement}`, { field: t(`enrolment.compared.${r.field}`) }),
    )
    .join('; ');
}

/** An agreement as a short flag. */
export function AgreementFlag(props: { reason: FieldReason | undefined }) {
  if (!props.reason) return <span class="agree-none">{t('enrolment.agreement.none')}</span>;
  return (
    <span class={`flag agree-${props.reason.agreement}`}>
      {t(`enrolment.agreementShort.${props.reason.agreement}`)}
    </span>
  );
}

/** A region in words, with the locality when there is one. */
export function placeText(regionCode: string | undefined, locality?: string | null): string {
  return [locality, regionCode ? regionName(regionCode) : null].filter(Boolean).join(', ');
}
