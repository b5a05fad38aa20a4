// #/households: create a household at an address with its head (found by registry number).
// #/households/<id>: its members; add one (or move them from another household), set the
// head, end a membership with a reason, register a birth into it, or enrol someone new for it.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api';
import { t } from '../../i18n';
import { calendarDate, regionName, words } from '../../format';
import { href, navigate } from '../../router';
import type { ScreenProps } from '../../screens';
import {
  formValues,
  OutcomeNotice,
  Page,
  ReasonField,
  SelectField,
  Submit,
  TextField,
  useAction,
} from '../../ui';
import {
  fullName,
  nest,
  PersonFields,
  personByNumber,
  regionOptions,
  relationshipOptions,
  relationshipWords,
  type PersonView,
} from './shared';

interface Household {
  id: string;
  address: { regionCode: string; locality: string | null; line: string | null };
  createdAt: string;
  members: { person: PersonView; relationship: string; joinedAt: string }[];
}

export function HouseholdsScreen(props: ScreenProps) {
  const id = props.where.segments[1];
  if (id) return <HouseholdScreen {...props} id={id} />;
  return <NewHousehold {...props} />;
}

/** Finds the person a registry-number field names; a miss is said at that field. */
async function numbered(field: string, number: string | undefined): Promise<PersonView> {
  try {
    return await personByNumber(number ?? '');
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'NOT_FOUND' || e.code === 'VALIDATION_FAILED'))
      throw new ApiError(
        e.code,
        e.message,
        e.status,
        field,
        undefined,
        t('enrolment.number.notFound'),
      );
    throw e;
  }
}

function NewHousehold(props: ScreenProps) {
  const action = useAction();
  const regions = regionOptions(props.session, 'household:write');
  const [region, setRegion] = useState(regions.length === 1 ? regions[0]!.value : '');
  const head = props.where.query.get('head') ?? '';
  const [openId, setOpenId] = useState('');
  async function submit(e: Event) {
    e.preventDefault();
    const values = formValues(e.currentTarget as HTMLFormElement);
    const made = await action.run(async () => {
      const person = await numbered('headNumber', values.headNumber);
      const address = nest(values).address;
      return api<{ id: string }>('POST', '/api/v1/households', {
        body: { address, headPersonId: person.id },
      });
    });
    if (made) navigate(`/households/${made.id}`, { created: '1' });
  }
  return (
    <Page title={t('enrolment.households.title')}>
      <p>{t('enrolment.households.intro')}</p>
      <form id="household-form" class="card narrow" onSubmit={submit} noValidate>
        <h2>{t('enrolment.households.new')}</h2>
        <SelectField
          label={t('common.region')}
          name="address.regionCode"
          required
          value={region}
          onChange={setRegion}
          placeholder={t('enrolment.region.choose')}
          options={regions}
          error={action.error}
        />
        <TextField
          label={t('enrolment.locality')}
          name="address.locality"
          maxLength={200}
          error={action.error}
        />
        <TextField
          label={t('enrolment.addressLine')}
          name="address.line"
          maxLength={200}
          error={action.error}
        />
        <TextField
          label={t('enrolment.headNumber')}
          name="headNumber"
          required
          defaultValue={head}
          autoComplete="off"
          hint={t('enrolment.headNumber.hint')}
          error={action.error}
        />
        <OutcomeNotice
          outcome={action.outcome}
          fields={['address.regionCode', 'address.locality', 'address.line', 'headNumber']}
        />
        <Submit busy={action.busy} label={t('enrolment.households.create')} />
      </form>
      <p>
        <a href={href('/enrol')}>{t('enrolment.households.enrolFirst')}</a>
      </p>
      <form
        id="open-household-form"
        class="card narrow"
        onSubmit={(e) => {
          e.preventDefault();
          if (openId.trim()) navigate(`/households/${openId.trim()}`);
        }}
      >
        <h2>{t('enrolment.households.open')}</h2>
        <TextField
          label={t('enrolment.households.id')}
          name="householdId"
          required
          value={openId}
          onInput={(e) => setOpenId((e.target as HTMLInputElement).value)}
        />
        <button type="submit">{t('enrolment.households.openButton')}</button>
      </form>
    </Page>
  );
}

function HouseholdScreen(props: ScreenProps & { id: string }) {
  const [household, setHousehold] = useState<Household | null>(null);
  const load = useAction();
  const member = useAction();
  const birth = useAction();
  const [version, setVersion] = useState(0);
  const [needsMove, setNeedsMove] = useState(false);
  const [birthRelationship, setBirthRelationship] = useState('child');
  const add = props.where.query.get('add') ?? '';

  useEffect(() => {
    void load
      .run(() => api<Household>('GET', `/api/v1/households/${props.id}`, { purpose: 'enrolment' }))
      .then((h) => h && setHousehold(h));
  }, [props.id, version]);

  const reload = () => setVersion((v) => v + 1);

  async function addMember(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const values = formValues(form);
    const done = await member.run(async () => {
      const person = await numbered('registryNumber', values.registryNumber);
      await api('POST', `/api/v1/households/${props.id}/members`, {
        body: {
          personId: person.id,
          relationship: values.relationship,
          reason: values.reason,
          ...(values.move === 'yes' ? { move: true } : {}),
        },
      });
      return person;
    }, t('enrolment.member.added'));
    if (done) {
      form.reset();
      setNeedsMove(false);
      reload();
    } else setNeedsMove(true);
  }

  async function registerBirth(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const values = nest(formValues(form)) as {
      child?: Record<string, unknown>;
      relationship?: string;
    };
    const child = await birth.run(() =>
      api<PersonView>('POST', `/api/v1/households/${props.id}/births`, {
        body: {
          child: values.child ?? {},
          ...(values.relationship ? { relationship: values.relationship } : {}),
        },
      }),
    );
    if (child) {
      birth.setOutcome({
        ok: true,
        message: t('enrolment.birth.done', { name: fullName(child), number: child.registryNumber }),
      });
      form.reset();
      reload();
    }
  }

  if (!household)
    return (
      <Page title={t('enrolment.household.title')}>
        <OutcomeNotice outcome={load.outcome} />
        {load.busy ? <p>{t('app.loading')}</p> : null}
        <a href={href('/households')}>{t('enrolment.households.title')}</a>
      </Page>
    );
  const a = household.address;
  return (
    <Page title={t('enrolment.household.title')}>
      {props.where.query.get('created') ? (
        <p class="notice ok" role="status">
          {t('enrolment.household.created')}
        </p>
      ) : null}
      <section class="card" aria-labelledby="household-facts">
        <h2 id="household-facts">{t('enrolment.household.address')}</h2>
        <dl class="facts" id="household-address">
          <dt>{t('common.region')}</dt>
          <dd>{regionName(a.regionCode)}</dd>
          <dt>{t('enrolment.locality')}</dt>
          <dd>{a.locality ?? t('common.none')}</dd>
          <dt>{t('enrolment.addressLine')}</dt>
          <dd>{a.line ?? t('common.none')}</dd>
          <dt>{t('enrolment.household.id')}</dt>
          <dd>
            <code>{household.id}</code>
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="members-title">
        <h2 id="members-title">
          {t('enrolment.members.title', { count: household.members.length })}
        </h2>
        <ul id="members" class="plain-list members">
          {household.members.map((m) => (
            <Member key={m.person.id} householdId={household.id} member={m} onChanged={reload} />
          ))}
        </ul>
      </section>
      <form id="member-form" class="card" onSubmit={addMember} noValidate>
        <h2>{t('enrolment.member.add')}</h2>
        <TextField
          label={t('enrolment.registryNumber')}
          name="registryNumber"
          required
          defaultValue={add}
          autoComplete="off"
          error={member.error}
        />
        <SelectField
          label={t('enrolment.relationship')}
          name="relationship"
          required
          placeholder={t('enrolment.relationship.choose')}
          options={relationshipOptions()}
          error={member.error}
        />
        <ReasonField error={member.error} />
        <label class="check-line">
          <input type="checkbox" name="move" value="yes" />
          {t('enrolment.member.move')}
        </label>
        {needsMove && member.error?.code === 'CONFLICT' ? (
          <p class="hint">{t('enrolment.member.moveHint')}</p>
        ) : null}
        <OutcomeNotice
          outcome={member.outcome}
          fields={['registryNumber', 'relationship', 'reason']}
        />
        <Submit busy={member.busy} label={t('enrolment.member.addButton')} />
        <p>
          <a id="enrol-for-household" href={href('/enrol', { household: household.id })}>
            {t('enrolment.member.enrolNew')}
          </a>
        </p>
      </form>
      <form id="birth-form" class="card" onSubmit={registerBirth} noValidate>
        <h2>{t('enrolment.birth.title')}</h2>
        <p>{t('enrolment.birth.intro')}</p>
        <PersonFields
          session={props.session}
          error={birth.error}
          prefix="child."
          defaults={{
            regionCode: a.regionCode,
            ...(a.locality ? { locality: a.locality } : {}),
            ...(a.line ? { line: a.line } : {}),
          }}
        />
        <SelectField
          label={t('enrolment.relationship')}
          name="relationship"
          value={birthRelationship}
          onChange={setBirthRelationship}
          options={relationshipOptions()}
          error={birth.error}
        />
        <OutcomeNotice outcome={birth.outcome} fields={['child.givenNames', 'child.birthDate']} />
        <Submit busy={birth.busy} label={t('enrolment.birth.submit')} />
      </form>
    </Page>
  );
}

function Member(props: {
  householdId: string;
  member: Household['members'][number];
  onChanged: () => void;
}) {
  const { person, relationship, joinedAt } = props.member;
  const leave = useAction();
  const head = useAction();
  const [open, setOpen] = useState<'leave' | 'head' | null>(null);
  async function end(e: Event) {
    e.preventDefault();
    const values = formValues(e.currentTarget as HTMLFormElement);
    const done = await leave.run(() =>
      api('POST', `/api/v1/households/${props.householdId}/members/${person.id}/leave`, {
        body: { reason: values.reason },
      }).then(() => true),
    );
    if (done) props.onChanged();
  }
  async function makeHead(e: Event) {
    e.preventDefault();
    const values = formValues(e.currentTarget as HTMLFormElement);
    const done = await head.run(() =>
      api('POST', `/api/v1/households/${props.householdId}/head`, {
        body: {
          personId: person.id,
          formerHeadRelationship: values.formerHeadRelationship,
          reason: values.reason,
        },
      }).then(() => true),
    );
    if (done) props.onChanged();
  }
  return (
    <li class="card member" data-person={person.id} data-number={person.registryNumber}>
      <h3>
        <a href={href(`/persons/${person.id}`)}>{fullName(person)}</a>
      </h3>
      <dl class="facts">
        <dt>{t('enrolment.relationship')}</dt>
        <dd class="member-relationship">{relationshipWords(relationship)}</dd>
        <dt>{t('enrolment.registryNumber')}</dt>
        <dd class="member-number">{person.registryNumber}</dd>
        <dt>{t('enrolment.birthDate')}</dt>
        <dd>{calendarDate(person.birthDate)}</dd>
        <dt>{t('enrolment.sex')}</dt>
        <dd>{words('sex', person.sex)}</dd>
        <dt>{t('enrolment.member.since')}</dt>
        <dd>{calendarDate(joinedAt.slice(0, 10))}</dd>
      </dl>
      <div class="buttons">
        {relationship !== 'head' ? (
          <button
            type="button"
            class="make-head"
            aria-expanded={open === 'head'}
            onClick={() => setOpen(open === 'head' ? null : 'head')}
          >
            {t('enrolment.member.makeHead')}
          </button>
        ) : null}
        <button
          type="button"
          class="end-membership"
          aria-expanded={open === 'leave'}
          onClick={() => setOpen(open === 'leave' ? null : 'leave')}
        >
          {t('enrolment.member.end')}
        </button>
      </div>
      {open === 'leave' ? (
        <form
          class="inline-form leave-form"
          id={`leave-form-${person.id}`}
          onSubmit={end}
          noValidate
        >
          <ReasonField error={leave.error} />
          <OutcomeNotice outcome={leave.outcome} fields={['reason']} />
          <Submit busy={leave.busy} label={t('enrolment.member.endButton')} class="danger" />
        </form>
      ) : null}
      {open === 'head' ? (
        <form
          class="inline-form head-form"
          id={`head-form-${person.id}`}
          onSubmit={makeHead}
          noValidate
        >
          <SelectField
            label={t('enrolment.member.formerHead')}
            name="formerHeadRelationship"
            required
            placeholder={t('enrolment.relationship.choose')}
            options={relationshipOptions()}
            error={head.error}
          />
          <ReasonField error={head.error} />
          <OutcomeNotice outcome={head.outcome} fields={['formerHeadRelationship', 'reason']} />
          <Submit busy={head.busy} label={t('enrolment.member.makeHeadButton')} />
        </form>
      ) : null}
    </li>
  );
}
