// What duplicate review writes to the audit log, in the words a person reads.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the dedup domain. */
export const dedupAuditOperations = {
  'dedup.flag': {
    kind: 'other',
    en: 'Your record was flagged as a possible duplicate, for an official to review.',
    es: 'Su registro se marcó como posible duplicado, para que lo revise un funcionario.',
  },
  'dedup.pair.read': {
    kind: 'read',
    en: 'Your record was compared side by side with a possible duplicate.',
    es: 'Su registro se comparó con un posible duplicado.',
  },
  'dedup.screen': {
    kind: 'read',
    en: 'Your record was shown to an official as a possible duplicate of a person being enrolled.',
    es: 'Su registro se mostró a un funcionario como posible duplicado de una persona que se inscribía.',
  },
  'dedup.decide': {
    kind: 'other',
    en: 'An official decided whether two records are the same person.',
    es: 'Un funcionario decidió si dos registros son la misma persona.',
  },
  'dedup.merge.request': {
    kind: 'other',
    en: 'A merge of your record with a duplicate was requested.',
    es: 'Se solicitó fusionar su registro con un duplicado.',
  },
  'dedup.merge': {
    kind: 'change',
    en: 'Your record was merged with a duplicate after a second approval.',
    es: 'Su registro se fusionó con un duplicado con una segunda aprobación.',
  },
  'dedup.unmerge.request': {
    kind: 'other',
    en: 'Undoing a merge of your record was requested.',
    es: 'Se solicitó deshacer la fusión de su registro.',
  },
  'dedup.unmerge': {
    kind: 'change',
    en: 'A merge of your record was undone after a second approval.',
    es: 'Se deshizo la fusión de su registro con una segunda aprobación.',
  },
  'person.merge': {
    kind: 'change',
    en: 'Your record was merged with a duplicate.',
    es: 'Su registro se fusionó con un duplicado.',
  },
  'person.unmerge': {
    kind: 'change',
    en: 'A merge of your record was undone.',
    es: 'Se deshizo la fusión de su registro.',
  },
  'dedup.run.start': {
    kind: 'other',
    en: 'A scan of the whole registry for duplicates started.',
    es: 'Comenzó una revisión de todo el registro en busca de duplicados.',
  },
  'dedup.run.finish': {
    kind: 'other',
    en: 'A scan of the whole registry for duplicates finished.',
    es: 'Terminó una revisión de todo el registro en busca de duplicados.',
  },
  'dedup.train': {
    kind: 'other',
    en: 'The duplicate-matching model was estimated from a sample of the registry.',
    es: 'El modelo de detección de duplicados se estimó a partir de una muestra del registro.',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof dedupAuditOperations, true> {}
}
