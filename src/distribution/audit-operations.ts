// What the distribution domain writes to the audit log, in the words a person reads in their
// access report. A handing-over names the person (they see where and when they collected);
// operations on points and devices name nobody.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the distribution domain. */
export const distributionAuditOperations = {
  'point.create': {
    kind: 'other',
    en: 'A point of service was defined.',
    es: 'Se definió un punto de atención.',
  },
  'point.change': {
    kind: 'other',
    en: 'A point of service was changed.',
    es: 'Se cambió un punto de atención.',
  },
  'point.operator': {
    kind: 'other',
    en: 'An operator was assigned to or removed from a point of service.',
    es: 'Se asignó o retiró un operador de un punto de atención.',
  },
  'device.register': {
    kind: 'other',
    en: 'A device was registered at a point of service.',
    es: 'Se registró un dispositivo en un punto de atención.',
  },
  'device.enrol': {
    kind: 'other',
    en: 'A device was enrolled with its own key.',
    es: 'Se dio de alta un dispositivo con su propia clave.',
  },
  'device.revoke': { kind: 'other', en: 'A device was revoked.', es: 'Se revocó un dispositivo.' },
  'stock.record': {
    kind: 'other',
    en: 'Stock at a point of service was recorded.',
    es: 'Se registraron existencias en un punto de atención.',
  },
  'redemption.create': {
    kind: 'change',
    en: 'A benefit was handed over to you (or to the person you authorised).',
    es: 'Se le entregó un beneficio (a usted o a la persona que usted autorizó).',
  },
  'redemption.read': {
    kind: 'read',
    en: 'A point of service’s record of deliveries, including yours, was consulted.',
    es: 'Se consultó el registro de entregas de un punto de atención, incluida la suya.',
  },
  'proof.send': {
    kind: 'other',
    en: 'A one-time code was sent to your phone to prove who you are without your card.',
    es: 'Se envió un código de un solo uso a su teléfono para probar su identidad sin carnet.',
  },
  'pack.download': {
    kind: 'other',
    en: 'A point-of-service device downloaded its offline pack.',
    es: 'Un dispositivo de un punto de atención descargó su paquete sin conexión.',
  },
  'sync.upload': {
    kind: 'other',
    en: 'A device uploaded the deliveries it recorded offline.',
    es: 'Un dispositivo subió las entregas que registró sin conexión.',
  },
  'conflict.resolve': {
    kind: 'other',
    en: 'A conflicting delivery was reviewed and resolved.',
    es: 'Se revisó y resolvió una entrega en conflicto.',
  },
  'conflict.read': {
    kind: 'read',
    en: 'A conflicting record of a delivery to you was reviewed.',
    es: 'Se revisó un registro en conflicto de una entrega a usted.',
  },
  'redemption.reduce': {
    kind: 'other',
    en: 'Where, when and how benefits of an old cycle were collected was reduced to what your record needs.',
    es: 'Dónde, cuándo y cómo se retiraron los beneficios de un ciclo antiguo se redujo a lo que su registro necesita.',
  },
  'nominee.record': {
    kind: 'change',
    en: 'A person you authorised to collect for you was recorded.',
    es: 'Se registró a una persona autorizada por usted para retirar en su nombre.',
  },
  'nominee.read': {
    kind: 'read',
    en: 'The people authorised to collect for you (or you, as someone’s nominee) were consulted.',
    es: 'Se consultaron las personas autorizadas a retirar en su nombre (o usted, como persona autorizada de alguien).',
  },
  'nominee.revoke': {
    kind: 'change',
    en: 'A person you had authorised to collect for you was removed.',
    es: 'Se retiró a una persona que usted había autorizado para retirar en su nombre.',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof distributionAuditOperations, true> {}
}
