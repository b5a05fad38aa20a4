// The identity documents a registrar may check before setting a wallet PIN: a leaf file, so
// that the console offers the same list the server accepts.

/** The identity documents a registrar may check before setting a PIN. */
export const identityDocuments = [
  'national_id_card',
  'passport',
  'birth_certificate',
  'tessera_card',
  'other',
] as const;
