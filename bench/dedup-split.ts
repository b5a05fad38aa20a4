// The fixed split of registry_es.csv into a training half and a held-out half, by person.
import { createHash } from 'node:crypto';

/** True for persons whose records may be used to train the default model. */
export function isTrainingPerson(personId: string): boolean {
  const first = createHash('sha256').update(personId).digest()[0] ?? 0;
  return first % 2 === 0;
}
