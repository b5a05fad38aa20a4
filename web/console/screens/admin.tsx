// The administrator's screens and the approvals queue (see web/console/screens.ts for how an
// area lists its screens). Stable selectors for end-to-end tests:
//   #/staff     table#staff-list (tr[data-username]); form#staff-create-form (username,
//               displayName); #one-time-password (shown once), #copy-one-time-password,
//               a#manage-new-account; a row's a.button → #/staff/<id>.
//   #/staff/<id> dl#account-facts; ul#current-roles (li[data-role]), button#end-role-<role>,
//               form#revoke-form-<role> (reason); form#grant-form (role select, national
//               checkbox value yes, regions checkboxes by code, reason; answers a
//               .notice[data-approval-id]); form#disable-form (reason).
//   #/tokens    form#token-create-form (name, permissions checkboxes, national / regions,
//               expiresInDays); #token-secret (shown once); table#token-list
//               (tr[data-name][data-token-id], button.revoke-token, td.token-status);
//               form#token-revoke-form (reason).
//   #/keys      table#key-list (tr[data-kid][data-status]); form#key-rotate-form (reason);
//               #key-rotate-filed[data-approval-id].
//   #/approvals ul#approvals-pending and ul#approvals-decided (li[data-approval-id]
//               [data-status]); form#decision-form-<id> (reason; button[value=approve],
//               button[value=reject]); .waiting-other on one's own; .expired; #approvals-outcome.
import type { Screen } from '../screens';
import { ApprovalsScreen } from './admin/approvals';
import { KeysScreen } from './admin/keys';
import { StaffScreen } from './admin/staff';
import { TokensScreen } from './admin/tokens';
import './admin/admin.css';

export const adminScreens: readonly Screen[] = [
  {
    path: 'staff',
    title: 'admin.staff.title',
    permissions: ['staff:read'],
    component: StaffScreen,
  },
  {
    path: 'tokens',
    title: 'admin.tokens.title',
    permissions: ['token:manage'],
    component: TokensScreen,
  },
  { path: 'keys', title: 'admin.keys.title', permissions: ['keys:manage'], component: KeysScreen },
  {
    path: 'approvals',
    title: 'admin.approvals.title',
    permissions: ['approval:decide'],
    component: ApprovalsScreen,
  },
];
