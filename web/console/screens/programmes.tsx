// The programmes area: programmes and their versions (#/programmes, #/programmes/new,
// #/programmes/<id>, #/programmes/<id>/change), the rule workbench (#/rules), cycles
// (#/cycles, #/cycles/<id>) and each cycle's exclusion dashboard (#/exclusion/<cycleId>).
// One file per screen under programmes/; the server checks every permission again.
import type { Screen, ScreenProps } from '../screens';
import { can } from '../ui';
import { t } from '../i18n';
import { Page } from '../ui';
import { AllCycles } from './programmes/cycle-list';
import { CycleScreen } from './programmes/cycle';
import { ProgrammeEditor } from './programmes/editor';
import { ExclusionScreen } from './programmes/exclusion';
import { ProgrammeList } from './programmes/list';
import { ProgrammeDetail } from './programmes/programme';
import { RulesScreen } from './programmes/rules';
import '../programmes.css';

function NotAllowed() {
  return (
    <Page title={t('app.notFound')}>
      <p>{t('programmes.notAllowed')}</p>
    </Page>
  );
}

function Programmes(props: ScreenProps) {
  const [, id, sub] = props.where.segments;
  const writer = can(props.session, 'programme:write');
  if (id === 'new') return writer ? <ProgrammeEditor session={props.session} /> : <NotAllowed />;
  if (id && sub === 'change')
    return writer ? <ProgrammeEditor session={props.session} id={id} /> : <NotAllowed />;
  if (id)
    return (
      <ProgrammeDetail
        key={id}
        session={props.session}
        id={id}
        saved={props.where.query.get('saved') === '1'}
      />
    );
  return <ProgrammeList session={props.session} />;
}

function Cycles(props: ScreenProps) {
  const id = props.where.segments[1];
  return id ? (
    <CycleScreen key={id} session={props.session} id={id} />
  ) : (
    <AllCycles session={props.session} />
  );
}

function Exclusion(props: ScreenProps) {
  const id = props.where.segments[1];
  if (!id)
    return (
      <Page title={t('programmes.exclusion.short')}>
        <p>{t('programmes.exclusion.pick')}</p>
      </Page>
    );
  return <ExclusionScreen key={id} session={props.session} id={id} />;
}

export const programmesScreens: readonly Screen[] = [
  {
    path: 'programmes',
    title: 'programmes.title',
    permissions: ['programme:read'],
    component: Programmes,
  },
  {
    path: 'cycles',
    title: 'programmes.cycles.title',
    permissions: ['programme:read'],
    component: Cycles,
  },
  {
    path: 'rules',
    title: 'programmes.rules.title',
    permissions: ['cycle:manage'],
    component: RulesScreen,
  },
  {
    path: 'exclusion',
    title: 'programmes.exclusion.short',
    permissions: ['exclusion:read'],
    component: Exclusion,
    inMenu: false,
  },
];
