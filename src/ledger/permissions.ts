// Who may read and move money. Programme administrators fund programmes and pay benefits to
// wallets, so they write; auditors check the books and finance reconciles payouts, so they read.
// Finance prepares, approves (a second finance officer), exports and reconciles payout batches
// to banks and mobile money, but never records where a person is paid: a registrar does that
// with the person present, so that no one role can both redirect a payment and send it.
// Administrators configure providers and hold the permission a provider's API token uses to
// report outcomes. Analysts, registrars and operators do not see accounts: analysts get
// statistics, and point-of-service co-payments come with the wallet.
import type { PermissionTable } from '../shared/access';

/** Permissions of the ledger domain. */
export const ledgerPermissions = {
  'ledger:read': {
    en: 'Read ledger accounts, balances and transfers',
    es: 'Consultar cuentas, saldos y transferencias del libro mayor',
    roles: ['programme_admin', 'auditor', 'finance'],
  },
  'ledger:write': {
    en: 'Open ledger accounts and move money between them',
    es: 'Abrir cuentas del libro mayor y mover dinero entre ellas',
    roles: ['programme_admin'],
  },
  'wallet:read': {
    en: 'Read a cardholder’s wallet statement (with a purpose)',
    es: 'Consultar el estado de cuenta del monedero de una persona (con un propósito)',
    roles: ['registrar', 'programme_admin'],
  },
  'wallet:pin': {
    en: 'Set or reset a cardholder’s wallet PIN after checking their identity',
    es: 'Fijar o restablecer el PIN del monedero de una persona tras verificar su identidad',
    roles: ['registrar'],
  },
  'wallet:charge': {
    en: 'Take a co-payment from a cardholder’s wallet, confirmed by their PIN',
    es: 'Cobrar un copago del monedero de una persona, confirmado con su PIN',
    roles: ['operator'],
  },
  'payout:read': {
    en: 'Read payout batches, their life and totals (items with a purpose)',
    es: 'Consultar lotes de pago, su recorrido y totales (partidas con un propósito)',
    roles: ['finance', 'auditor'],
  },
  'payout:create': {
    en: 'Prepare a payout batch from a programme fund to people’s bank or mobile accounts',
    es: 'Preparar un lote de pago desde un fondo a cuentas bancarias o móviles de las personas',
    roles: ['finance'],
  },
  'payout:approve': {
    en: 'Approve a payout batch prepared by someone else',
    es: 'Aprobar un lote de pago preparado por otra persona',
    roles: ['finance'],
  },
  'payout:export': {
    en: 'Send an approved payout batch to its providers, and retry what failed',
    es: 'Enviar un lote de pago aprobado a sus proveedores y reintentar lo fallido',
    roles: ['finance'],
  },
  'payout:import': {
    en: 'Import providers’ status reports and statements (pain.002, camt.054)',
    es: 'Importar informes de estado y extractos de los proveedores (pain.002, camt.054)',
    roles: ['finance'],
  },
  'payout:provider': {
    en: 'Configure payout providers (banks and mobile money) and their clearing accounts',
    es: 'Configurar proveedores de pago (bancos y dinero móvil) y sus cuentas de compensación',
    roles: ['admin'],
  },
  'payout:callback': {
    en: 'Report payout outcomes as a provider (G2P Connect on-disburse; API tokens only)',
    es: 'Informar resultados de pagos como proveedor (G2P Connect on-disburse; solo tokens)',
    roles: ['admin'],
  },
  'payout_destination:read': {
    en: 'Read where a person is paid (bank or mobile account, with a purpose)',
    es: 'Consultar dónde se le paga a una persona (cuenta bancaria o móvil, con un propósito)',
    roles: ['registrar', 'finance'],
  },
  'payout_destination:write': {
    en: 'Record where a person is paid, with the person present',
    es: 'Registrar dónde se le paga a una persona, en su presencia',
    roles: ['registrar'],
  },
  'settlement:read': {
    en: 'Read points’ daily settlements and reimbursement rates (operators: their own points)',
    es: 'Consultar las liquidaciones diarias de los puntos y las tarifas de reembolso (operadores: sus puntos)',
    roles: ['operator', 'auditor', 'finance'],
  },
  'settlement:compute': {
    en: 'Compute a point’s settlement of a day',
    es: 'Calcular la liquidación de un día de un punto',
    roles: ['finance'],
  },
  'settlement:approve': {
    en: 'Approve a settlement computed by someone else, paying the point its reimbursement',
    es: 'Aprobar una liquidación calculada por otra persona, pagando al punto su reembolso',
    roles: ['finance'],
  },
  'settlement:rate': {
    en: 'Set what a programme reimburses points per unit handed over, from a day on',
    es: 'Fijar lo que un programa reembolsa a los puntos por unidad entregada, desde un día',
    roles: ['programme_admin'],
  },
  'dispute:open': {
    en: 'Open a dispute on a settlement line (operators: at their own points)',
    es: 'Abrir una disputa sobre una línea de liquidación (operadores: en sus puntos)',
    roles: ['operator', 'finance'],
  },
  'dispute:resolve': {
    en: 'Review and resolve a dispute opened by someone else; an upheld one is corrected by a new transfer',
    es: 'Revisar y resolver una disputa abierta por otra persona; una aceptada se corrige con una nueva transferencia',
    roles: ['finance'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof ledgerPermissions, true> {}
}
