// Demo staff for `serve --demo`: one account per kind of work, so that every screen can be
// tried at once, and two administrators (and two programme administrators), so that a four-eyes request one files the other can
// decide. Made only while no staff account exists; the one-time passwords are shown once, on
// the console.
import type { AppContext, Caller } from '../shared/context';
import { insertGrant, insertStaff } from './accounts';

const demoStaff = [
  { username: 'admin', displayName: 'Demo administrator', role: 'admin', regions: '*' },
  // A second national administrator, so that a four-eyes request one files the other decides.
  { username: 'supervisora', displayName: 'Demo supervisor', role: 'admin', regions: '*' },
  {
    username: 'registradora',
    displayName: 'Demo registrar (Caracas, Miranda)',
    role: 'registrar',
    regions: ['VE-A', 'VE-M'],
  },
  { username: 'auditora', displayName: 'Demo auditor', role: 'auditor', regions: '*' },
  // Two programme administrators: a cycle one of them freezes, the other approves.
  {
    username: 'programas',
    displayName: 'Demo programme administrator',
    role: 'programme_admin',
    regions: '*',
  },
  {
    username: 'aprobadora',
    displayName: 'Demo second programme administrator',
    role: 'programme_admin',
    regions: '*',
  },
  // Finance prepares, exports and reconciles payout batches; another finance officer approves.
  { username: 'finanzas', displayName: 'Demo finance officer', role: 'finance', regions: '*' },
  // An operator of the demo food depot in Caracas (the distribution demo assigns the point).
  {
    username: 'operador',
    displayName: 'Demo operator (Caracas depot)',
    role: 'operator',
    regions: ['VE-A'],
  },
] as const;

/** Creates the demo staff on a database with none; returns the lines to print. */
export async function loadDemoStaff(app: AppContext, caller: Caller): Promise<string[]> {
  const anyone = await app.db.kysely.selectFrom('staff').select('id').limit(1).execute();
  if (anyone.length > 0) return [];
  const lines = await app.db.transaction(async (trx) => {
    const out: string[] = [];
    for (const s of demoStaff) {
      const made = await insertStaff(trx, app, caller, {
        username: s.username,
        displayName: s.displayName,
      });
      await insertGrant(trx, app, caller, made.account.id, s.role, s.regions);
      const scope = s.regions === '*' ? 'national' : s.regions.join(', ');
      out.push(`    ${s.username.padEnd(14)} ${made.oneTimePassword}   ${s.role} (${scope})`);
    }
    return out;
  });
  return [
    '',
    '  demo staff (one-time credentials, shown only now):',
    ...lines,
    '  At first sign-in each enrols an authenticator app (TOTP), then chooses a new password.',
    '',
  ];
}
