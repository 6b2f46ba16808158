const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * 32-bit FNV-1a of the UTF-8 bytes of `text`, as an unsigned integer. Chosen for hashed
 * categorical features because it is tiny, fast, has published test vectors and is trivial to
 * reproduce anywhere a feature must be hashed the same way (Python, SQL, an ONNX pre-step):
 *
 *   h = 2166136261; for each byte b: h = ((h XOR b) × 16777619) mod 2³²
 *
 * e.g. fnv1a32('') = 2166136261, fnv1a32('a') = 3826002220, fnv1a32('foobar') = 3214735720.
 * (A lone UTF-16 surrogate is hashed as its 3-byte WTF-8 form.)
 */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  const step = (byte: number): void => {
    hash = Math.imul(hash ^ byte, FNV_PRIME);
  };
  for (const char of text) {
    const cp = char.codePointAt(0) as number;
    if (cp < 0x80) {
      step(cp);
    } else if (cp < 0x800) {
      step(0xc0 | (cp >> 6));
      step(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      step(0xe0 | (cp >> 12));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    } else {
      step(0xf0 | (cp >> 18));
      step(0x80 | ((cp >> 12) & 0x3f));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    }
  }
  return hash >>> 0;
}
