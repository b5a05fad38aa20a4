// The counter: a card scanned with the camera (or no card), the verdict in plain words, the
// person and what they may collect here with windows and states, and the handing-over (a
// quantity for quotas, the co-payment in cash — or from the wallet with its PIN when online).
// Whenever the card fails or is absent the other proofs are offered on the same screen: the
// registry number and date of birth, then a one-time SMS code (online) or an identity
// document the operator checked and attests with a reason (online and offline).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, localError } from '../console/api';
import { calendarDate, dateTime } from '../console/format';
import { activeLanguage, catalogs, t, type MessageKey } from '../console/i18n';
import { money } from '../console/screens/programmes/common';
import { OutcomeNotice, Submit, TextField, formValues, useAction } from '../console/ui';
import { reasonCatalog } from '../i18n/verify';
import type { ReasonCode } from '../../src/credentials/verifier';
import { deviceApi } from './device-api';
import type { OfflineProof } from './chain';
import { coPaymentFor } from './pack';

/** A unit in the reader's words: the programme's unit code (box, l, kg…) where we know it. */
function unitWord(unit: string): string {
  const key = `pos.unit.${unit}` as MessageKey;
  return Object.hasOwn(catalogs[activeLanguage()], key) ? t(key) : unit;
}
import { startScan, type Scan } from './scanner';
import {
  cardRefusal,
  checkCardOffline,
  identifyByBirthOffline,
  identifyByCardOffline,
  identifyOnline,
  OfflineRefusal,
  redeemOffline,
  redeemOnline,
  resendOnline,
  type CardCheck,
  type CoPayment,
  type Identified,
  type Line,
  type Names,
  type OnlineProof,
  type Receipt,
} from './serve';
import type { StoredDevice, StoredPack } from './store';

const documentTypes = ['national_id', 'passport', 'birth_certificate', 'other'] as const;
type DocumentType = (typeof documentTypes)[number];

const nameOf = (names: Names) => names[activeLanguage()] || names.es;

/** The card's verdict, in plain words, with the verifier's reason. */
function Verdict(props: { card: CardCheck }) {
  const { card } = props;
  const reason =
    card.reason === 'VALID'
      ? t('pos.verdict.validText')
      : (reasonCatalog[activeLanguage()][card.reason as ReasonCode] ?? card.reason);
  return (
    <div
      id="verdict"
      class={card.word === 'valid' ? 'verdict ok' : 'verdict bad'}
      data-verdict={card.word}
      role="status"
    >
      <strong id="verdict-title">{t(`pos.verdict.${card.word}` as MessageKey)}</strong>
      <span>{reason}</span>
    </div>
  );
}

function stateWords(state: string): string {
  if (state === 'pack_expired') return t('pos.state.pack_expired');
  const key = `records.entitlements.state.${state}`;
  return key in catalogs.es ? t(key as MessageKey) : state;
}

/** The proof chosen for a person found by registry number and date of birth. */
interface BirthProof {
  kind: 'sms_code' | 'document';
  codeId: string | null;
  phoneHint: string | null;
}

/** One entitlement, with the hand-over form when it can be collected here now. */
function Entitlement(props: {
  line: Line;
  mode: 'online' | 'offline';
  busy: boolean;
  onRedeem: (line: Line, quantity: number, coPayment: CoPayment | null, cash: boolean) => void;
}) {
  const { line } = props;
  const [wallet, setWallet] = useState(false);
  const quota = line.kind === 'quota';
  const perUnit = line.coPaymentPerUnit;
  const [quantity, setQuantity] = useState(quota ? Math.min(line.remaining, 1) : line.remaining);
  const canRedeem = line.state === 'redeemable' && line.servedHere && line.remaining > 0;
  const amount = /^\d+$/.test(perUnit) && quantity > 0 ? coPaymentFor(perUnit, quantity) : '0';
  const submit = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const values = formValues(form);
    const pin = values.pin ?? '';
    const coPayment: CoPayment | null =
      amount === '0' ? null : wallet ? { method: 'wallet', pin } : { method: 'cash' };
    props.onRedeem(line, quantity, coPayment, values.cash === 'yes');
  };
  const id = `ent-${line.entitlementId.replace(/[^\w-]/g, '_')}`;
  return (
    <li class="entitlement card" data-entitlement={line.entitlementId} data-state={line.state}>
      <h3 id={`${id}-title`}>{nameOf(line.programmeName)}</h3>
      {line.forPerson ? (
        <p class="muted">
          {t('pos.line.for', {
            name: line.forPerson.displayName,
            as: t(`pos.line.as.${line.forPerson.as}` as MessageKey),
          })}
        </p>
      ) : null}
      <p>
        {t('pos.line.what', {
          item: nameOf(line.itemName),
          remaining: line.remaining,
          quantity: line.quantity,
          unit: unitWord(line.unit),
        })}
      </p>
      <p class="muted">
        {t('pos.line.window', {
          from: calendarDate(line.opensOn),
          to: calendarDate(line.closesOn),
        })}
        {line.cycleLabel ? ` · ${line.cycleLabel}` : ''}
      </p>
      <p class="state" data-state={line.state}>
        {stateWords(line.state)}
        {!line.servedHere ? ` · ${t('pos.line.notHere')}` : ''}
      </p>
      {canRedeem ? (
        <form class="redeem-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
          {quota ? (
            <div class="field">
              <label for={`${id}-q`}>
                {t('pos.redeem.quantity', { unit: unitWord(line.unit) })}
              </label>
              <input
                id={`${id}-q`}
                name="quantity"
                type="number"
                inputMode="numeric"
                min={1}
                max={line.remaining}
                step={1}
                required
                value={quantity}
                onInput={(e) => {
                  const v = (e.target as HTMLInputElement).valueAsNumber;
                  setQuantity(Number.isSafeInteger(v) ? v : 0);
                }}
              />
            </div>
          ) : null}
          {amount !== '0' ? (
            <fieldset class="copay">
              <legend>{t('pos.redeem.coPayment', { amount: money(amount, line.currency) })}</legend>
              {props.mode === 'online' ? (
                <>
                  <label class="choice">
                    <input
                      type="radio"
                      name="method"
                      value="cash"
                      checked={!wallet}
                      onChange={() => setWallet(false)}
                    />{' '}
                    {t('pos.redeem.cash')}
                  </label>
                  <label class="choice">
                    <input
                      type="radio"
                      name="method"
                      value="wallet"
                      checked={wallet}
                      onChange={() => setWallet(true)}
                    />{' '}
                    {t('pos.redeem.wallet')}
                  </label>
                  {wallet ? (
                    <TextField
                      label={t('pos.redeem.pin')}
                      name="pin"
                      type="password"
                      inputMode="numeric"
                      autoComplete="off"
                      required
                    />
                  ) : null}
                </>
              ) : (
                <label class="choice">
                  <input type="checkbox" name="cash" value="yes" required />{' '}
                  {t('pos.redeem.cashTaken')}
                </label>
              )}
            </fieldset>
          ) : null}
          <Submit
            busy={props.busy}
            label={
              quota
                ? t('pos.redeem.submitQuantity', { quantity, unit: line.unit })
                : t('pos.redeem.submit')
            }
            class="primary redeem"
          />
        </form>
      ) : null}
    </li>
  );
}

/** The receipt of a handing-over. */
function ReceiptView(props: { receipt: Receipt; onNext: () => void; onMore: () => void }) {
  const { receipt } = props;
  return (
    <section
      id="receipt"
      class="card receipt"
      data-mode={receipt.mode}
      aria-labelledby="receipt-title"
    >
      <h2 id="receipt-title" tabIndex={-1}>
        {t('pos.receipt.title')}
      </h2>
      <dl class="facts">
        <dt>{t('pos.receipt.what')}</dt>
        <dd>
          {nameOf(receipt.line.programmeName)} ·{' '}
          {t('pos.receipt.quantity', {
            quantity: receipt.quantity,
            unit: unitWord(receipt.line.unit),
            item: nameOf(receipt.line.itemName),
          })}
        </dd>
        <dt>{t('pos.receipt.code')}</dt>
        <dd id="receipt-code">
          {receipt.receiptCode ?? t('pos.receipt.offline', { counter: receipt.counter ?? 0 })}
        </dd>
        {receipt.coPayment.method !== 'none' ? (
          <>
            <dt>{t('pos.receipt.coPayment')}</dt>
            <dd>
              {money(receipt.coPayment.amount, receipt.line.currency)} ·{' '}
              {t(`pos.receipt.method.${receipt.coPayment.method}` as MessageKey)}
            </dd>
          </>
        ) : null}
        <dt>{t('pos.receipt.when')}</dt>
        <dd>{dateTime(receipt.at)}</dd>
      </dl>
      <div class="pos-actions">
        <button type="button" id="next-person" class="primary" onClick={props.onNext}>
          {t('pos.receipt.next')}
        </button>
        <button type="button" id="same-person" onClick={props.onMore}>
          {t('pos.receipt.more')}
        </button>
      </div>
    </section>
  );
}

function offlineWords(reason: OfflineRefusal['reason']): string {
  return t(`pos.offline.refused.${reason}` as MessageKey);
}

/** The counter screen. */
export function Counter(props: {
  device: StoredDevice;
  pack: StoredPack | null;
  online: boolean;
  start: 'scan' | 'no-card';
  onHome: () => void;
  onChanged: () => void;
}) {
  const { device, pack } = props;
  const [scanning, setScanning] = useState(props.start === 'scan');
  const [card, setCard] = useState<CardCheck | null>(null);
  const [askProof, setAskProof] = useState(props.start === 'no-card');
  const [who, setWho] = useState<Identified | null>(null);
  const [birthProof, setBirthProof] = useState<BirthProof>({
    kind: 'document',
    codeId: null,
    phoneHint: null,
  });
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [unanswered, setUnanswered] = useState<{ key: string; line: Line } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const action = useAction();
  const video = useRef<HTMLVideoElement>(null);
  const docForm = useRef<HTMLFormElement>(null);

  const offlineIdentify = async (qrText: string) => {
    if (!pack) throw localError('qrText', t('pos.offline.noPack'));
    const checked = await checkCardOffline(pack.pack, qrText);
    setCard(checked);
    if (checked.word !== 'valid') {
      setAskProof(true);
      return;
    }
    setWho(await identifyByCardOffline(pack.pack, checked));
  };

  const onQr = (qrText: string) => {
    setScanning(false);
    void action.run(async () => {
      if (props.online) {
        try {
          const found = await identifyOnline(device, { qrText });
          setCard(found.card ?? null);
          setWho(found);
          return;
        } catch (e) {
          const refused = cardRefusal(e, qrText);
          if (refused) {
            setCard(refused);
            setAskProof(true);
            return;
          }
          if (!(e instanceof ApiError && e.code === 'NETWORK')) {
            setAskProof(true);
            throw e;
          }
          setNote(t('pos.offline.fellBack'));
        }
      }
      await offlineIdentify(qrText);
    });
  };

  useEffect(() => {
    if (!scanning || !video.current) return;
    let scan: Scan | null = null;
    let closed = false;
    startScan(video.current, onQr, (e) => {
      setScanning(false);
      setAskProof(true);
      action.setOutcome({
        ok: false,
        error: localError('camera', t('pos.scan.failed', { error: e.message })),
      });
    })
      .then((s) => {
        if (closed) s.stop();
        else scan = s;
      })
      .catch((e: unknown) => {
        setScanning(false);
        setAskProof(true);
        action.setOutcome({
          ok: false,
          error: localError(
            'camera',
            t('pos.scan.noCamera', { error: e instanceof Error ? e.message : String(e) }),
          ),
        });
      });
    return () => {
      closed = true;
      scan?.stop();
    };
  }, [scanning]);

  const findByBirth = async (event: Event) => {
    event.preventDefault();
    const values = formValues(event.currentTarget as HTMLFormElement);
    const registryNumber = values.registryNumber ?? '';
    const birthDate = values.birthDate ?? '';
    setWho(null);
    setReceipt(null);
    await action.run(async () => {
      if (props.online) {
        try {
          setWho(await identifyOnline(device, { registryNumber, birthDate }));
          setBirthProof({ kind: 'document', codeId: null, phoneHint: null });
          return;
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 'NETWORK')) throw e;
          setNote(t('pos.offline.fellBack'));
        }
      }
      if (!pack) throw localError('registryNumber', t('pos.offline.noPack'));
      const found = await identifyByBirthOffline(pack.pack, registryNumber, birthDate);
      if (found.lines.length === 0)
        throw localError('registryNumber', t('pos.offline.noLeaseByBirth'));
      setBirthProof({ kind: 'document', codeId: null, phoneHint: null });
      setWho(found);
    });
  };

  const sendCode = async () => {
    if (!who?.birth) return;
    await action.run(async () => {
      const sent = await deviceApi<{ codeId: string; phoneHint: string }>(
        device.token,
        'POST',
        '/api/v1/proof-codes',
        { body: who.birth },
      );
      setBirthProof({ kind: 'sms_code', codeId: sent.codeId, phoneHint: sent.phoneHint });
    }, t('pos.proof.codeSent'));
  };

  /** The attested document's fields from the form on screen, checked here first. */
  const attested = (): {
    documentType: DocumentType;
    documentNumber: string;
    reason: string;
  } => {
    const values = docForm.current ? formValues(docForm.current) : {};
    const documentType = (values.documentType ?? '') as DocumentType;
    if (!documentTypes.includes(documentType))
      throw localError('proof.documentType', t('pos.proof.documentType.missing'));
    const documentNumber = values.documentNumber ?? '';
    if (documentNumber.length < 3)
      throw localError('proof.documentNumber', t('pos.proof.documentNumber.missing'));
    const reason = values.reason ?? '';
    if (reason.length < 5) throw localError('proof.reason', t('pos.proof.reason.missing'));
    return { documentType, documentNumber, reason };
  };

  const redeem = (line: Line, quantity: number, coPayment: CoPayment | null, cash: boolean) => {
    if (!who) return;
    setUnanswered(null);
    void action.run(async () => {
      let done: Receipt;
      if (who.mode === 'online') {
        let proof: OnlineProof;
        if (who.by === 'card' && who.card) proof = { kind: 'card', qrText: who.card.qrText };
        else if (birthProof.kind === 'sms_code') {
          const code = (docForm.current ? formValues(docForm.current).smsCode : '') ?? '';
          if (!birthProof.codeId || !/^\d{6}$/.test(code))
            throw localError('proof.code', t('pos.proof.code.missing'));
          proof = { kind: 'sms_code', codeId: birthProof.codeId, code };
        } else proof = { kind: 'document', ...who.birth!, ...attested() };
        const key = crypto.randomUUID();
        try {
          done = await redeemOnline(device, line, quantity, proof, coPayment, key);
        } catch (e) {
          if (e instanceof ApiError && e.code === 'NETWORK') setUnanswered({ key, line });
          throw e;
        }
      } else {
        if (!pack) throw localError('entitlement', t('pos.offline.noPack'));
        const proof: OfflineProof =
          who.by === 'card' && who.card
            ? { kind: 'card', serial: who.card.serial ?? '', kid: who.card.kid ?? '' }
            : { kind: 'document', ...attested() };
        try {
          done = await redeemOffline(device, pack.pack, line, quantity, proof, cash);
        } catch (e) {
          if (e instanceof OfflineRefusal) throw localError('entitlement', offlineWords(e.reason));
          throw e;
        }
      }
      setReceipt(done);
      setWho({
        ...who,
        lines: who.lines.map((l) => (l.entitlementId === line.entitlementId ? done.line : l)),
      });
      props.onChanged();
    });
  };

  const resend = () => {
    if (!unanswered) return;
    void action.run(async () => {
      const done = await resendOnline(device, unanswered.key, unanswered.line);
      setUnanswered(null);
      setReceipt(done);
      props.onChanged();
    });
  };

  const mode: 'online' | 'offline' = who?.mode ?? (props.online ? 'online' : 'offline');
  const byBirth = who?.by === 'birth';

  return (
    <section id="counter" class="page" aria-labelledby="counter-title" data-mode={mode}>
      <div class="page-head">
        <h1 id="counter-title" tabIndex={-1}>
          {props.start === 'scan' && !askProof
            ? t('pos.counter.scanTitle')
            : t('pos.counter.noCardTitle')}
        </h1>
        <button type="button" id="back-home" onClick={props.onHome}>
          {t('pos.counter.home')}
        </button>
      </div>
      <p class={mode === 'online' ? 'mode online' : 'mode offline'} id="counter-mode">
        {t(mode === 'online' ? 'pos.counter.online' : 'pos.counter.offline')}
      </p>
      {note ? <p class="note">{note}</p> : null}
      {scanning ? (
        <div class="camera">
          <video id="camera" ref={video} playsInline muted aria-label={t('pos.scan.camera')} />
          <p>{t('pos.scan.hint')}</p>
          <button
            type="button"
            id="stop-scan"
            onClick={() => {
              setScanning(false);
              setAskProof(true);
            }}
          >
            {t('pos.scan.noCard')}
          </button>
        </div>
      ) : null}
      {card ? <Verdict card={card} /> : null}
      {who ? (
        <div id="person" class="card person">
          <h2>{who.person.displayName ?? t('pos.person.unnamed')}</h2>
          <p>
            {t('pos.person.registryNumber')}:{' '}
            <span id="person-rn">{who.person.registryNumber}</span>
          </p>
        </div>
      ) : null}
      {askProof && !receipt && byBirth ? (
        <button
          type="button"
          id="other-person"
          class="link"
          onClick={() => {
            setWho(null);
            action.setOutcome(null);
          }}
        >
          {t('pos.proof.other')}
        </button>
      ) : null}
      {askProof && !receipt && !byBirth ? (
        <form id="proof-form" class="card" onSubmit={findByBirth}>
          <h2>{t('pos.proof.title')}</h2>
          <p class="muted">
            {card && card.word !== 'valid' ? t('pos.proof.cardFailed') : t('pos.proof.intro')}
          </p>
          <TextField
            label={t('pos.proof.registryNumber')}
            name="registryNumber"
            autoComplete="off"
            autoCapitalize="characters"
            required
            error={action.error}
          />
          <TextField
            label={t('pos.proof.birthDate')}
            name="birthDate"
            placeholder={t('enrolment.birthDate.placeholder')}
            hint={t('enrolment.birthDate.hint')}
            inputMode="numeric"
            pattern="\d{4}(-\d{2}(-\d{2})?)?"
            autoComplete="off"
            required
            error={action.error}
          />
          <Submit busy={action.busy} label={t('pos.proof.find')} />
        </form>
      ) : null}
      {who && byBirth && !receipt ? (
        <form id="proof-choice" class="card" ref={docForm} onSubmit={(e) => e.preventDefault()}>
          <h2>{t('pos.proof.howTitle')}</h2>
          {who.mode === 'online' ? (
            <fieldset>
              <legend class="visually-hidden">{t('pos.proof.howTitle')}</legend>
              {who.person.hasPhone ? (
                <label class="choice">
                  <input
                    type="radio"
                    name="proofKind"
                    value="sms_code"
                    id="proof-sms"
                    checked={birthProof.kind === 'sms_code'}
                    onChange={() => setBirthProof({ ...birthProof, kind: 'sms_code' })}
                  />{' '}
                  {t('pos.proof.sms', { phone: who.person.phoneHint ?? '' })}
                </label>
              ) : null}
              <label class="choice">
                <input
                  type="radio"
                  name="proofKind"
                  value="document"
                  id="proof-document"
                  checked={birthProof.kind === 'document'}
                  onChange={() => setBirthProof({ ...birthProof, kind: 'document' })}
                />{' '}
                {t('pos.proof.document')}
              </label>
            </fieldset>
          ) : (
            <p class="muted">{t('pos.proof.offlineDocumentOnly')}</p>
          )}
          {who.mode === 'online' && birthProof.kind === 'sms_code' ? (
            <>
              <button type="button" id="send-code" onClick={() => void sendCode()}>
                {birthProof.codeId ? t('pos.proof.resendCode') : t('pos.proof.sendCode')}
              </button>
              {birthProof.codeId ? (
                <TextField
                  label={t('pos.proof.code')}
                  name="smsCode"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="\d{6}"
                  error={action.error}
                />
              ) : null}
            </>
          ) : (
            <>
              <div class="field">
                <label for="document-type">{t('pos.proof.documentType')}</label>
                <select id="document-type" name="documentType" required>
                  <option value="">{t('pos.proof.documentType.choose')}</option>
                  {documentTypes.map((d) => (
                    <option key={d} value={d}>
                      {t(`pos.proof.documentType.${d}` as MessageKey)}
                    </option>
                  ))}
                </select>
              </div>
              <TextField
                label={t('pos.proof.documentNumber')}
                name="documentNumber"
                autoComplete="off"
                required
                error={action.error}
              />
              <TextField
                label={t('pos.proof.reason')}
                name="reason"
                hint={t('pos.proof.reason.hint')}
                autoComplete="off"
                required
                error={action.error}
              />
            </>
          )}
        </form>
      ) : null}
      <OutcomeNotice
        outcome={action.outcome}
        fields={[
          'registryNumber',
          'birthDate',
          'proof.code',
          'proof.documentNumber',
          'proof.reason',
        ]}
      />
      {unanswered ? (
        <div class="notice warn" id="unanswered">
          <p>{t('pos.redeem.unanswered')}</p>
          <button type="button" id="resend" onClick={resend}>
            {t('pos.redeem.resend')}
          </button>
        </div>
      ) : null}
      {receipt ? (
        <ReceiptView receipt={receipt} onNext={props.onHome} onMore={() => setReceipt(null)} />
      ) : null}
      {who && !receipt ? (
        who.lines.length === 0 ? (
          <p id="no-entitlements" class="notice warn">
            {t(who.mode === 'online' ? 'pos.person.nothing' : 'pos.person.nothingOffline')}
          </p>
        ) : (
          <>
            <h2>{t('pos.person.entitlements')}</h2>
            <ul id="entitlements" class="entitlements">
              {who.lines.map((line) => (
                <Entitlement
                  key={line.entitlementId}
                  line={line}
                  mode={who.mode}
                  busy={action.busy || unanswered !== null}
                  onRedeem={redeem}
                />
              ))}
            </ul>
          </>
        )
      ) : null}
    </section>
  );
}
