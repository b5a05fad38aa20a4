// Pieces the administrator's screens share: choosing regions by name (or the whole country),
// a secret shown once with a copy button, and a staff member or a four-eyes request in words.
import { useId, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { allRegions, regionName, words } from '../../format';
import { localError, type ApiError } from '../../api';

/** A staff member as the API names one. */
export interface StaffRef {
  id: string;
  username: string;
  displayName: string;
}

/** "username (Display name)", or words for an account that is gone. */
export function who(ref: StaffRef | null | undefined): string {
  if (!ref) return t('admin.approvals.unknownPerson');
  return t('admin.summary.person', { username: ref.username, displayName: ref.displayName });
}

/**
 * Region checkboxes by name, with a "whole country" choice that hides them. Inputs: a
 * checkbox `national` (value `yes`) and checkboxes `regions` (value: region code).
 */
export function RegionChoice(props: { legend: string; error?: ApiError | null; field?: string }) {
  const [national, setNational] = useState(false);
  const id = useId();
  const failed = props.error && props.error.field === (props.field ?? 'regions');
  return (
    <fieldset
      class={failed ? 'regions invalid' : 'regions'}
      aria-describedby={failed ? `${id}-error` : undefined}
    >
      <legend>{props.legend}</legend>
      <label class="check">
        <input
          type="checkbox"
          name="national"
          value="yes"
          checked={national}
          onChange={(e) => setNational((e.target as HTMLInputElement).checked)}
        />
        {t('admin.staff.grant.wholeCountry')}
      </label>
      {national ? null : (
        <div class="check-grid">
          {allRegions().map((r) => (
            <label class="check" key={r.code}>
              <input type="checkbox" name="regions" value={r.code} />
              {r.name}
            </label>
          ))}
        </div>
      )}
      {failed ? (
        <small id={`${id}-error`} class="field-error" role="alert">
          {props.error?.said ?? props.error?.message}
        </small>
      ) : null}
    </fieldset>
  );
}

/** The regions a RegionChoice in `form` names: '*' or codes; a local refusal when none. */
export function chosenRegions(form: HTMLFormElement): '*' | string[] {
  const data = new FormData(form);
  if (data.get('national') === 'yes') return '*';
  const codes = data.getAll('regions').filter((v): v is string => typeof v === 'string');
  if (codes.length === 0) throw localError('regions', t('admin.staff.grant.noRegion'));
  return codes;
}

/** Where a grant applies, in words: "in region Miranda", "in the whole country". */
export function whereText(regions: '*' | readonly string[] | null | undefined): string {
  if (regions === '*') return t('admin.summary.wholeCountry');
  if (!regions || regions.length === 0) return '';
  const names = regions.map(regionName).join(', ');
  return regions.length === 1
    ? t('admin.summary.inRegion', { names })
    : t('admin.summary.inRegions', { names });
}

/** A role held somewhere, in words: "Registro (Miranda)". */
export function grantText(g: { role: string; regions: '*' | readonly string[] }): string {
  const where = g.regions === '*' ? t('common.national') : g.regions.map(regionName).join(', ');
  return `${words('role', g.role)} (${where})`;
}

/** A secret shown once, with a copy button. `id` is the element holding the secret. */
export function ShownOnce(props: {
  id: string;
  title: string;
  intro: string;
  secret: string;
  copyLabel: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <section class="card notice-once" aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      <p>{props.intro}</p>
      <p>
        <code id={props.id} class="secret">
          {props.secret}
        </code>
      </p>
      <div class="buttons">
        <button
          type="button"
          id={`copy-${props.id}`}
          onClick={() =>
            void navigator.clipboard
              ?.writeText(props.secret)
              .then(() => setCopied(true))
              .catch(() => setCopied(false))
          }
        >
          {props.copyLabel}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {copied ? t('common.copied') : ''}
      </div>
    </section>
  );
}
