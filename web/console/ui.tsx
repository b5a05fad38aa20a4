// The console's building blocks: pages, fields that show the server's refusal next to the
// field it names, one action hook whose result replaces any earlier one (so a failure never
// sits under an older success), and the purpose and reason fields every read and change needs.
import { createContext, type ComponentChildren, type JSX } from 'preact';
import { useCallback, useContext, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { activeLanguage, errorText, t, type MessageKey } from './i18n';
import { words } from './format';

/** The signed-in session, as GET /api/v1/auth/session describes it. */
export interface Session {
  staffId: string;
  username: string;
  displayName: string;
  expiresAt: string;
  idleMinutes: number;
  timeZone: string;
  regions: Record<string, string>;
  next: 'enrol-second-factor' | 'change-password' | 'ready';
  csrfToken: string;
  roles: Array<{ role: string; regions: '*' | string[] }>;
  permissions: Array<{ permission: string; regions: '*' | string[] }>;
}

export const SessionContext = createContext<Session | null>(null);

/** The session; screens are only shown signed in. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

/** True when the session holds `permission` in some region. */
export function can(session: Session, permission: string): boolean {
  return session.permissions.some((p) => p.permission === permission);
}

/** The regions the session holds `permission` in. */
export function regionsWith(session: Session, permission: string): '*' | string[] {
  const found = session.permissions.find((p) => p.permission === permission);
  return found ? found.regions : [];
}

/** The outcome of the last action: what it said, or why it failed. Never both. */
export type Outcome = { ok: true; message: string } | { ok: false; error: ApiError } | null;

/**
 * Runs one action at a time. Starting an action clears the last outcome, so an earlier
 * success is gone before a later failure appears.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const run = useCallback(
    async <T,>(work: () => Promise<T>, success?: string): Promise<T | undefined> => {
      setBusy(true);
      setOutcome(null);
      try {
        const result = await work();
        setOutcome(success ? { ok: true, message: success } : null);
        return result;
      } catch (e) {
        setOutcome({ ok: false, error: asApiError(e) });
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [],
  );
  const error = outcome && !outcome.ok ? outcome.error : null;
  return { busy, outcome, error, run, setOutcome };
}

/** Any thrown value as an ApiError. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError('INTERNAL', e instanceof Error ? e.message : String(e), 0);
}

/** A page: its heading (focused on arrival, for screen readers) and content. */
export function Page(props: {
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}

/** Says the outcome of an action: a success, or the refusal in the reader's language. */
export function OutcomeNotice(props: { outcome: Outcome; fields?: readonly string[] }) {
  const { outcome } = props;
  if (!outcome) return <div role="status" aria-live="polite" class="notice-slot" />;
  if (outcome.ok)
    return (
      <div role="status" aria-live="polite" class="notice ok">
        {outcome.message}
      </div>
    );
  const { error } = outcome;
  // A refusal naming a field shown on the form is said there; here only the summary.
  const atField = error.field && props.fields?.includes(error.field);
  return (
    <div role="alert" class="notice error" data-code={error.code}>
      <strong>{error.said ?? errorText(error.code)}</strong>
      {!atField && error.field ? <span> {t('error.field', { field: error.field })}</span> : null}
      {error.code !== 'NETWORK' && !error.said && error.message ? (
        activeLanguage() === 'en' ? (
          <span> {error.message}</span>
        ) : (
          <details>
            <summary>{t('common.detailsInEnglish')}</summary>
            <span lang="en">{error.message}</span>
          </details>
        )
      ) : null}
    </div>
  );
}

interface FieldProps {
  label: string;
  name: string;
  error?: ApiError | null;
  hint?: string;
  children: (id: string, describedBy: string | undefined, invalid: boolean) => JSX.Element;
}

/** A labelled control, with a hint and the server's refusal when it names this field. */
export function Field(props: FieldProps) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const failed = props.error?.field === props.name ? props.error : null;
  const errorId = failed ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={failed ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy, Boolean(failed))}
      {props.hint ? (
        <small id={hintId} class="hint">
          {props.hint}
        </small>
      ) : null}
      {failed ? (
        <small id={errorId} class="field-error" role="alert">
          {failed.said ?? (
            <>
              {errorText(failed.code)}
              {activeLanguage() === 'en' && failed.message ? ` ${failed.message}` : null}
            </>
          )}
        </small>
      ) : null}
    </div>
  );
}

/** A text input inside a Field. */
export function TextField(
  props: Omit<FieldProps, 'children'> &
    Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label' | 'name'>,
) {
  const { label, name, error, hint, ...input } = props;
  return (
    <Field label={label} name={name} error={error ?? null} {...(hint ? { hint } : {})}>
      {(id, describedBy, invalid) => (
        <input
          id={id}
          name={name}
          aria-describedby={describedBy}
          aria-invalid={invalid ? 'true' : undefined}
          {...input}
        />
      )}
    </Field>
  );
}

/** A select inside a Field. */
export function SelectField(
  props: Omit<FieldProps, 'children'> & {
    options: ReadonlyArray<{ value: string; label: string }>;
    value?: string;
    required?: boolean;
    placeholder?: string;
    onChange?: (value: string) => void;
  },
) {
  const { label, name, error, hint, options, placeholder, onChange, ...rest } = props;
  return (
    <Field label={label} name={name} error={error ?? null} {...(hint ? { hint } : {})}>
      {(id, describedBy, invalid) => (
        <select
          id={id}
          name={name}
          aria-describedby={describedBy}
          aria-invalid={invalid ? 'true' : undefined}
          onChange={(e) => onChange?.((e.target as HTMLSelectElement).value)}
          {...rest}
        >
          {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** The declared purpose of a personal-data read, from the fixed list (principle 3). */
export function PurposeField(props: {
  purposes: readonly string[];
  value: string;
  onChange: (purpose: string) => void;
  error?: ApiError | null;
}) {
  return (
    <SelectField
      label={t('common.purpose')}
      name="purpose"
      required
      value={props.value}
      placeholder={t('common.purpose.choose')}
      error={props.error ?? null}
      options={props.purposes.map((p) => ({ value: p, label: words('purpose', p) }))}
      onChange={props.onChange}
    />
  );
}

/** A required reason for a change, kept in the audit log. */
export function ReasonField(props: { error?: ApiError | null; name?: string; label?: MessageKey }) {
  return (
    <TextField
      label={t(props.label ?? 'common.reason')}
      name={props.name ?? 'reason'}
      required
      minLength={3}
      maxLength={500}
      hint={t('common.reason.hint')}
      error={props.error ?? null}
    />
  );
}

/** A submit button that says it is working. */
export function Submit(props: { busy: boolean; label: string; class?: string }) {
  return (
    <button
      type="submit"
      class={props.class ?? 'primary'}
      disabled={props.busy}
      aria-busy={props.busy}
    >
      {props.busy ? t('common.working') : props.label}
    </button>
  );
}

/** A form's values by name, as strings (empty fields left out). */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new FormData(form)) {
    if (typeof value === 'string' && value.trim() !== '') out[key] = value.trim();
  }
  return out;
}

/** Moves focus to the page heading when a screen opens (keyboard and screen-reader users). */
export function useFocusHeading(): (node: HTMLElement | null) => void {
  const done = useRef(false);
  return (node) => {
    if (node && !done.current) {
      done.current = true;
      node.focus();
    }
  };
}
