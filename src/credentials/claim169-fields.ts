// The Claim 169 key mapping (MOSIP id-claim-169 v1.2; see the shared vectors' mapping.yaml):
// integer key → field name and CBOR type. One table serves both encoding and decoding.

/** The CBOR type of a Claim 169 field. */
export type Claim169FieldType = 'text' | 'int' | 'bytes' | 'ints' | 'biometrics';

/** Claim 169 fields by integer key. */
export const claim169Fields: ReadonlyMap<number, { name: string; type: Claim169FieldType }> =
  new Map([
    [1, { name: 'id', type: 'text' }],
    [2, { name: 'version', type: 'text' }],
    [3, { name: 'language', type: 'text' }],
    [4, { name: 'fullName', type: 'text' }],
    [5, { name: 'firstName', type: 'text' }],
    [6, { name: 'middleName', type: 'text' }],
    [7, { name: 'lastName', type: 'text' }],
    [8, { name: 'dateOfBirth', type: 'text' }],
    [9, { name: 'gender', type: 'int' }],
    [10, { name: 'address', type: 'text' }],
    [11, { name: 'email', type: 'text' }],
    [12, { name: 'phone', type: 'text' }],
    [13, { name: 'nationality', type: 'text' }],
    [14, { name: 'maritalStatus', type: 'int' }],
    [15, { name: 'guardian', type: 'text' }],
    [16, { name: 'photo', type: 'bytes' }],
    [17, { name: 'photoFormat', type: 'int' }],
    [18, { name: 'bestQualityFingers', type: 'ints' }],
    [19, { name: 'secondaryFullName', type: 'text' }],
    [20, { name: 'secondaryLanguage', type: 'text' }],
    [21, { name: 'locationCode', type: 'text' }],
    [22, { name: 'legalStatus', type: 'text' }],
    [23, { name: 'countryOfIssuance', type: 'text' }],
    [50, { name: 'rightThumb', type: 'biometrics' }],
    [51, { name: 'rightPointerFinger', type: 'biometrics' }],
    [52, { name: 'rightMiddleFinger', type: 'biometrics' }],
    [53, { name: 'rightRingFinger', type: 'biometrics' }],
    [54, { name: 'rightLittleFinger', type: 'biometrics' }],
    [55, { name: 'leftThumb', type: 'biometrics' }],
    [56, { name: 'leftPointerFinger', type: 'biometrics' }],
    [57, { name: 'leftMiddleFinger', type: 'biometrics' }],
    [58, { name: 'leftRingFinger', type: 'biometrics' }],
    [59, { name: 'leftLittleFinger', type: 'biometrics' }],
    [60, { name: 'rightIris', type: 'biometrics' }],
    [61, { name: 'leftIris', type: 'biometrics' }],
    [62, { name: 'face', type: 'biometrics' }],
    [63, { name: 'rightPalm', type: 'biometrics' }],
    [64, { name: 'leftPalm', type: 'biometrics' }],
    [65, { name: 'voice', type: 'biometrics' }],
  ]);

/** Claim 169 gender codes. */
export const genderCodes = { male: 1, female: 2, other: 3 } as const;

/** Claim 169 photo format codes of the deprecated key 17 (read, never written). */
export const photoFormatCodes = { jpeg: 1, jpeg2000: 2, avif: 3, webp: 4 } as const;

/** Biometric data formats (key 1 of a biometric map). */
export const biometricFormats = { image: 0, template: 1, sound: 2, bioHash: 3 } as const;

/** Image sub-formats (key 2 of a biometric map whose format is image). */
export const imageSubFormats = { png: 0, jpeg: 1, jpeg2000: 2, avif: 3, webp: 4 } as const;
