// The notices domain's public surface: the outbox other domains write what a person is owed
// into (receipts, one-time codes, and the other service events), inside their own
// transactions; each person's preferences (language, essentials only); the sender that drains
// the outbox through the configured gateway (file, HTTP or SMPP); the hook for texts people
// send back; and the closed list of service events — there is no free text to anyone.
import { defineModule } from '../module';
import { noticesAuditOperations } from './audit-operations';
import { registerNoticesCommands } from './cli';
import { noticesInitial, noticesService } from './migrations';
import { noticesPermissions } from './permissions';
import { noticesRoutes } from './routes';
import { noticeSenderJob } from './sender';

export { enqueueNotice, queuedNotices, type EnqueueOptions, type QueuedNotice } from './outbox';
export {
  noticeTemplates,
  noticeEvents,
  renderNotice,
  type NoticeTemplate,
  type NoticeParams,
  type NoticeEvent,
  type NoticeLanguage,
} from './templates';
export {
  getNoticePreferences,
  setNoticePreferences,
  noticePreferencesInput,
  type NoticePreferences,
} from './preferences';
export { drainOutbox, noticeGateway, type DrainResult } from './sender';
export {
  onInboundSms,
  useNoticeService,
  type InboundHandler,
  type InboundSms,
  type SmsGateway,
  type OutgoingSms,
} from './gateway';
export { readFileGateway, fileGateway, type FileGatewayLine } from './gateway-file';
export { countSegments, sendCost, type SegmentCount } from './segments';
export { noticesPermissions } from './permissions';
export { noticesAuditOperations } from './audit-operations';

/** The notices domain, as the module list wires it. */
export const noticesModule = defineModule({
  name: 'notices',
  migrations: {
    '2026-12-06-02-notices': noticesInitial,
    '2026-12-10-03-notices-service': noticesService,
  },
  routes: noticesRoutes,
  commands: registerNoticesCommands,
  permissions: noticesPermissions,
  auditOperations: noticesAuditOperations,
  jobs: [noticeSenderJob],
});
