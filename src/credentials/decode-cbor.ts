// Strict CBOR decoding with limits. cborg rejects non-minimal integers, indefinite lengths,
// undefined, duplicate map keys and trailing bytes; the counting tokenizer below adds what
// cborg lacks: a nesting-depth limit (checked before cborg recurses, so deep input cannot
// exhaust the stack), an item-count limit and per-string length limits.
import { decode, Tokenizer } from 'cborg';
import type { DecodeOptions, TagDecoder } from 'cborg';
import { CredentialError } from './errors';
import { byteStringBytesMax, cborDepthMax, cborItemsMax, textBytesMax } from './limits';

/** A CBOR tag and its content, kept so that callers decide what each tag means. */
export class Tagged {
  constructor(
    readonly tag: number,
    readonly value: unknown,
  ) {}
}

// Every tag is kept as a Tagged value, so that callers refuse an unexpected tag with their own
// reason (a tag 998 where COSE expects 18 is NOT_COSE, not malformed CBOR). cborg looks tag
// decoders up by number, which this proxy answers for any number.
const tags = new Proxy([] as TagDecoder[], {
  get: (_target, property) =>
    typeof property === 'string' && /^\d+$/.test(property)
      ? (inner: unknown) => new Tagged(Number(property), inner)
      : undefined,
});

/** Limits for one decode; every field defaults to the card limits. */
export interface CborLimits {
  depthMax?: number;
  itemsMax?: number;
  textBytesMax?: number;
  byteStringBytesMax?: number;
}

type Token = ReturnType<Tokenizer['next']>;

// Tracks, for each open array, map or tag, how many items it still expects.
class LimitedTokenizer extends Tokenizer {
  private readonly open: number[] = [];
  private items = 0;

  constructor(
    data: Uint8Array,
    options: DecodeOptions,
    private readonly limits: Required<CborLimits>,
  ) {
    super(data, options);
  }

  override next(): Token {
    const token = super.next();
    if (++this.items > this.limits.itemsMax) {
      throw new CredentialError('TOO_LARGE', `more than ${this.limits.itemsMax} CBOR items`);
    }
    this.consumeSlot();
    const major = token.type.major;
    if (major === 2 && (token.value as Uint8Array).length > this.limits.byteStringBytesMax) {
      throw new CredentialError('TOO_LARGE', 'byte string too long');
    }
    if (major === 3 && (token.encodedLength ?? 0) > this.limits.textBytesMax + 9) {
      throw new CredentialError('TOO_LARGE', 'text string too long');
    }
    if (major === 4 || major === 5 || major === 6) this.openContainer(token, major);
    return token;
  }

  private consumeSlot(): void {
    while (this.open.length > 0) {
      const top = this.open.length - 1;
      if ((this.open[top] as number) > 0) {
        this.open[top] = (this.open[top] as number) - 1;
        return;
      }
      this.open.pop();
    }
  }

  private openContainer(token: Token, major: number): void {
    const count = major === 6 ? 1 : (token.value as number) * (major === 5 ? 2 : 1);
    if (count === 0) return;
    if (this.open.length + 1 > this.limits.depthMax) {
      throw new CredentialError('TOO_DEEP', `nested deeper than ${this.limits.depthMax}`);
    }
    this.open.push(count);
  }
}

// Built once: every card decodes twice (the COSE array, then its payload), so per-call
// option objects showed in the verifier's profile.
const decodeOptions: DecodeOptions = {
  strict: true,
  useMaps: true,
  rejectDuplicateMapKeys: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false,
  tags,
};

const cardLimits: Required<CborLimits> = {
  depthMax: cborDepthMax,
  itemsMax: cborItemsMax,
  textBytesMax,
  byteStringBytesMax,
};

/** The value of strict CBOR bytes, with maps as `Map` and tags as `Tagged`; refuses with BAD_CBOR, TOO_LARGE or TOO_DEEP. */
export function decodeCbor(bytes: Uint8Array, limits?: CborLimits): unknown {
  const resolved: Required<CborLimits> = limits
    ? { ...cardLimits, ...withoutUndefined(limits) }
    : cardLimits;
  try {
    return decode(bytes, {
      ...decodeOptions,
      tokenizer: new LimitedTokenizer(bytes, decodeOptions, resolved),
    });
  } catch (error) {
    if (error instanceof CredentialError) throw error;
    if (error instanceof RangeError)
      throw new CredentialError('TOO_DEEP', 'nesting exhausted the decoder');
    throw new CredentialError('BAD_CBOR', 'malformed or non-canonical CBOR');
  }
}

function withoutUndefined(limits: CborLimits): CborLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
