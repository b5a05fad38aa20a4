// The credentials domain's tables: issuer keys (private halves encrypted under the
// key-encryption key, which never enters the database), issued cards, and the latest signed
// trust and revocation lists, cached so that every verifier downloads the same document.

/** An issuer signing key. Exactly one is active at a time (a partial unique index says so). */
export interface IssuerKeysTable {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  /** JSON public JWK, without private parts. */
  public_jwk: string;
  /** JSON ProtectedPrivateKey: AES-256-GCM under the key-encryption key, bound to the kid. */
  private_key: string;
  status: 'active' | 'retired';
  created_at: string;
  created_by: string;
  retired_at: string | null;
  /** When the last card this key signed expires: set when the key is retired; null while active. */
  not_after: string | null;
}

/** An issued card. Never deleted: a revoked, replaced or expired card stays on record. */
export interface CardsTable {
  /** The card serial printed on the card and signed in the QR (`sub`); its revocation-list index. */
  serial: number;
  person_id: string;
  kid: string;
  status: 'active' | 'revoked' | 'replaced' | 'expired';
  issued_at: string;
  expires_at: string;
  issued_by: string;
  /** The signed QR text, kept so that the card printed later is exactly the card issued. */
  qr_text: string;
  /** JSON CardFace: what the printed face shows, the same fields the QR signs. */
  face: string;
  revoked_at: string | null;
  revoked_by: string | null;
  revocation_reason: string | null;
  /** The serial of the card that replaced this one. */
  replaced_by: number | null;
}

/** The latest signed trust list and revocation list. */
export interface CredentialDocumentsTable {
  kind: 'trust-list' | 'revocation-list';
  issued_at: string;
  /** What the document was built from (key states, revoked count); a change means regenerate. */
  fingerprint: string;
  /** The signed JSON document (JWS flattened serialization). */
  document: string;
}

/** All credentials tables. */
export interface CredentialsTables {
  issuer_keys: IssuerKeysTable;
  cards: CardsTable;
  credential_documents: CredentialDocumentsTable;
}

declare module '../db/schema' {
  interface Schema extends CredentialsTables {}
}
