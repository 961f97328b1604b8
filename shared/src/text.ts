/**
 * The one sanitiser for text people type into a board (board titles, card fields, labels) and
 * text the server writes (imports, exports). Control characters have no place there: NUL and
 * ESC confuse terminals and parsers, CR/LF break one-line names and CSV/Markdown rows, and the
 * bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) make a title read
 * differently from what it contains ("Trojan Source"). Marks that only hint at direction
 * (U+200E/U+200F), and joiners used by emoji and many scripts (U+200C/U+200D), are kept.
 */

/** Line breaks and tabs: turned into a space in one-line text, kept (as \n and \t) in multi-line text. */
const BREAKS = /\r\n|[\t\n\v\f\r\u0085\u2028\u2029]/g;
/** Everything else that is invisible and never typed on purpose: C0 and C1 controls, DEL, bidi controls, BOM. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F\u061C\u202A-\u202E\u2066-\u2069\uFEFF]/g;
// eslint-disable-next-line no-control-regex -- as above
const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F\u061C\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/;

/** Half a surrogate pair: not text at all (JSON can carry one, UTF-8 cannot, encodeURIComponent throws). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export interface StripOptions {
  /** Keep line breaks (normalised to \n) and tabs: for descriptions. Default: one line. */
  multiline?: boolean;
}

/** `text` without control characters; in one-line text, line breaks and tabs become spaces; a lone surrogate becomes U+FFFD. */
export function stripControlCharacters(text: string, options: StripOptions = {}): string {
  const withBreaks = options.multiline
    ? text.replace(BREAKS, (sequence) => (sequence === '\t' ? '\t' : '\n'))
    : text.replace(BREAKS, ' ');
  return withBreaks.replace(CONTROLS, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** Whether one-line `text` holds anything `stripControlCharacters` would change. */
export function hasControlCharacters(text: string): boolean {
  return ANY_CONTROL.test(text);
}
