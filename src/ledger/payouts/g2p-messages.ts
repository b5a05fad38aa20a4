// G2P Connect disbursement API v1.0.0 messages (release/yaml/disburse_core_api_v1.0.0.yaml of
// the G2P Connect specs): the envelope every call carries (header with version, message_id,
// message_ts, action, sender_id, receiver_id, total_count; message), /disburse requests with
// their disbursements, the /on-disburse and /disburse/txn/on-status callbacks with each
// disbursement's status, and the acknowledgement every endpoint answers.
import { z } from 'zod';
import { minorToDecimal } from './money-text';
import type { Provider } from './providers';

/** The spec's version this adapter speaks. */
export const g2pVersion = '1.0.0';

/** Statuses of a request (RequestStatus). */
export const g2pStatuses = ['rcvd', 'pdng', 'succ', 'rjct'] as const;

/** The reason a provider gives a duplicate reference_id (DisburseStatusReasonCode). */
export const duplicateReferenceCode = 'rjct.reference_id.duplicate';

/** A request header (MsgHeader_V1.0.0). */
export interface G2pHeader {
  version: string;
  message_id: string;
  message_ts: string;
  action: string;
  sender_id: string;
  sender_uri?: string;
  receiver_id: string;
  total_count: number;
  is_msg_encrypted: false;
}

/** One disbursement of a /disburse message. */
export interface G2pDisbursement {
  reference_id: string;
  payer_fa: string;
  payee_fa: string;
  amount: string;
  payer_name: string;
  payee_name: string;
  note: string;
  currency_code: string;
}

/** A /disburse request. */
export interface G2pDisburseRequest {
  header: G2pHeader;
  message: { transaction_id: string; disbursements: G2pDisbursement[] };
}

/** The acknowledgement every endpoint answers (Response). */
export const g2pAck = z
  .object({
    message: z.object({
      ack_status: z.enum(['ACK', 'NACK', 'ERR']),
      timestamp: z.string(),
      correlation_id: z.string().optional(),
      error: z.object({ code: z.string(), message: z.string().optional() }).optional(),
    }),
  })
  .loose();

/** One disbursement's status in a callback. */
export const g2pDisbursementStatus = z
  .object({
    reference_id: z.string().min(1).max(99),
    timestamp: z.string().max(64),
    status: z.enum(g2pStatuses),
    status_reason_code: z.string().max(99).optional(),
    status_reason_message: z.string().max(999).optional(),
    amount: z
      .string()
      .regex(/^\d{1,13}\.\d{1,2}$/, 'decimal amount, e.g. "150.00"')
      .optional(),
    currency_code: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
  })
  .loose();
/** One disbursement's status, validated. */
export type G2pDisbursementStatus = z.output<typeof g2pDisbursementStatus>;

/** A callback header (MsgCallbackHeader_V1.0.0). */
export const g2pCallbackHeader = z
  .object({
    version: z.string().max(16).optional(),
    message_id: z.string().min(1).max(99),
    message_ts: z.string().min(1).max(64),
    action: z.string().max(32),
    status: z.enum(g2pStatuses),
    status_reason_code: z.string().max(99).optional(),
    status_reason_message: z.string().max(999).optional(),
    total_count: z.number().int().min(0).optional(),
    completed_count: z.number().int().min(0).optional(),
    sender_id: z.string().min(1).max(99),
    receiver_id: z.string().max(99).optional(),
    is_msg_encrypted: z.literal(false).optional(),
  })
  .loose();

const disburseResponse = z
  .object({
    transaction_id: z.string().min(1).max(99),
    disbursements_status: z.array(g2pDisbursementStatus).max(10_000),
  })
  .loose();

/** The body of /on-disburse. */
export const g2pOnDisburse = z
  .object({
    signature: z.string().max(4096).optional(),
    header: g2pCallbackHeader.extend({ action: z.literal('on-disburse') }),
    message: disburseResponse.optional(),
  })
  .strict();
/** The body of /on-disburse, validated. */
export type G2pOnDisburse = z.output<typeof g2pOnDisburse>;

/** The body of /disburse/txn/on-status. */
export const g2pOnTxnStatus = z
  .object({
    signature: z.string().max(4096).optional(),
    header: g2pCallbackHeader,
    message: z
      .object({
        transaction_id: z.string().min(1).max(99),
        correlation_id: z.string().max(99),
        txnstatus_response: z.object({
          txn_type: z.literal('on-disburse'),
          txn_status: disburseResponse,
        }),
      })
      .loose()
      .optional(),
  })
  .strict();
/** The body of /disburse/txn/on-status, validated. */
export type G2pOnTxnStatus = z.output<typeof g2pOnTxnStatus>;

/** A financial address (cdpi_FinancialAddress): `type:id@provider`, as the spec's examples. */
export function financialAddress(type: 'account' | 'mobile', id: string, provider: string): string {
  return `${type}:${id.replace(/^\+/, '')}@${provider.toLowerCase()}`;
}

/** A request header from us to a provider. */
export function g2pHeader(
  provider: Provider,
  messageId: string,
  action: string,
  at: string,
  totalCount: number,
): G2pHeader {
  return {
    version: g2pVersion,
    message_id: messageId,
    message_ts: at,
    action,
    sender_id: provider.senderId,
    ...(provider.callbackUri ? { sender_uri: provider.callbackUri } : {}),
    receiver_id: provider.agentId,
    total_count: totalCount,
    is_msg_encrypted: false,
  };
}

/** One disbursement to a person. */
export function g2pDisbursement(
  provider: Provider,
  line: {
    endToEndId: string;
    amount: bigint;
    scheme: 'iban' | 'account' | 'msisdn';
    account: string;
    holderName: string;
  },
  currency: string,
  note: string,
): G2pDisbursement {
  return {
    reference_id: line.endToEndId,
    payer_fa: financialAddress('account', provider.debtorAccount, provider.agentId),
    payee_fa: financialAddress(
      line.scheme === 'msisdn' ? 'mobile' : 'account',
      line.account,
      provider.agentId,
    ),
    amount: minorToDecimal(line.amount, currency),
    payer_name: provider.debtorName,
    payee_name: line.holderName,
    note: note.slice(0, 99),
    currency_code: currency,
  };
}
