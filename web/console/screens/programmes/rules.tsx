// The rule workbench (#/rules): try a rule on its own before it belongs to a programme — the
// kind (medicine rules may read health attributes; others may not) and whom it counts, then
// the rule editor, which checks it as it is typed and shows suppressed counts. Nothing is
// stored. Selectors: form#rules-form (select[name=kind], select[name=target]).
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { Page, SelectField } from '../../ui';
import { kindWords, kinds, targetWords, targets, type Kind, type Target } from './common';
import { RuleEditor } from './rule-editor';

export function RulesScreen() {
  const [kind, setKind] = useState<Kind>('basket');
  const [target, setTarget] = useState<Target>('household');
  const [rule, setRule] = useState('');
  return (
    <Page title={t('programmes.rules.title')}>
      <p>{t('programmes.rules.intro')}</p>
      <form id="rules-form" class="card" onSubmit={(e) => e.preventDefault()}>
        <div class="side-by-side">
          <SelectField
            label={t('programmes.kind')}
            name="kind"
            value={kind}
            onChange={(k) => setKind(k as Kind)}
            options={kinds.map((k) => ({ value: k, label: kindWords(k) }))}
          />
          <SelectField
            label={t('programmes.rules.target')}
            name="target"
            value={target}
            onChange={(k) => setTarget(k as Target)}
            options={targets.map((k) => ({ value: k, label: targetWords(k) }))}
          />
        </div>
        <RuleEditor value={rule} onChange={setRule} kind={kind} target={target} live />
      </form>
      <details class="card rule-help">
        <summary>{t('programmes.rules.help')}</summary>
        <ul>
          <li>
            <code>age &gt;= 60</code> — {t('programmes.rules.example.age')}
          </li>
          <li>
            <code>household_size &gt;= 4</code> — {t('programmes.rules.example.household')}
          </li>
          <li>
            <code>sex = "F" and count(age &lt; 18) &gt;= 1</code> —{' '}
            {t('programmes.rules.example.mothers')}
          </li>
        </ul>
        <p>{t('programmes.rules.never')}</p>
      </details>
    </Page>
  );
}
