/**
 * Board ids: Crockford's base-32 alphabet in lower case (no i, l, o, u, so an id survives being
 * read aloud or typed from a slide) and a fixed length. 32 symbols map a random byte without
 * bias; 14 characters carry 70 random bits.
 */
export const BOARD_ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const BOARD_ID_LENGTH = 14;
export const BOARD_ID_PATTERN = `^[${BOARD_ID_ALPHABET}]{${BOARD_ID_LENGTH}}$`;

const boardIdRegExp = new RegExp(BOARD_ID_PATTERN);

export function isBoardId(value: string): boolean {
  return boardIdRegExp.test(value);
}

export function newBoardId(): string {
  const bytes = new Uint8Array(BOARD_ID_LENGTH);
  crypto.getRandomValues(bytes);
  let id = '';
  for (const byte of bytes) id += BOARD_ID_ALPHABET[byte % BOARD_ID_ALPHABET.length];
  return id;
}
