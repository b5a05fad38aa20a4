// The Money area: ledger accounts and their transfers (#/money, #/money/<id>), payout batches
// through their life (#/payouts, #/payouts/<id>), settlement per point and local day
// (#/settlements, #/settlements/<id>), reconciliation against providers' statements
// (#/reconciliation), disputes on settlement lines (#/disputes), and a cardholder's wallet
// statement, with a purpose (#/wallets). One file per screen under money/; the server checks
// every permission, region and second person again.
import type { Screen, ScreenProps } from '../screens';
import { AccountList, AccountScreen } from './money/accounts';
import { DisputeList } from './money/disputes';
import { BatchList, BatchScreen } from './money/payouts';
import { ReconcileScreen } from './money/reconcile';
import { SettlementDay, SettlementScreen } from './money/settlements';
import { WalletScreen } from './money/wallet';
import './money/money.css';

function Accounts(props: ScreenProps) {
  const [, id] = props.where.segments;
  if (id) return <AccountScreen key={id} session={props.session} id={id} />;
  return <AccountList query={props.where.query} />;
}

function Payouts(props: ScreenProps) {
  const [, id] = props.where.segments;
  if (id) return <BatchScreen key={id} session={props.session} id={id} />;
  return <BatchList />;
}

function Settlements(props: ScreenProps) {
  const [, id] = props.where.segments;
  if (id) return <SettlementScreen key={id} session={props.session} id={id} />;
  return <SettlementDay session={props.session} query={props.where.query} />;
}

export const moneyScreens: readonly Screen[] = [
  {
    path: 'money',
    title: 'money.accounts.title',
    permissions: ['ledger:read'],
    component: Accounts,
  },
  {
    path: 'payouts',
    title: 'money.payouts.title',
    permissions: ['payout:read'],
    component: Payouts,
  },
  {
    path: 'settlements',
    title: 'money.settlement.title',
    permissions: ['settlement:read'],
    component: Settlements,
  },
  {
    path: 'reconciliation',
    title: 'money.reconcile.title',
    permissions: ['payout:read'],
    component: (p: ScreenProps) => <ReconcileScreen query={p.where.query} />,
  },
  {
    path: 'disputes',
    title: 'money.disputes.title',
    permissions: ['settlement:read', 'dispute:open', 'dispute:resolve'],
    component: (p: ScreenProps) => <DisputeList session={p.session} />,
  },
  {
    path: 'wallets',
    title: 'money.wallet.title',
    permissions: ['wallet:read'],
    component: (p: ScreenProps) => <WalletScreen query={p.where.query} />,
  },
];
