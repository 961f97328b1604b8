import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasControlCharacters, stripControlCharacters } from './text.js';

test('one-line text: NUL, ESC, DEL and C1 controls removed; line breaks and tabs become spaces', () => {
  assert.equal(stripControlCharacters('Pay\u0000ment\u001b[31m page\u007f\u009b'), 'Payment[31m page');
  assert.equal(stripControlCharacters('two\r\nlines\rand\na\ttab'), 'two lines and a tab');
  assert.equal(stripControlCharacters('para\u2028graph\u2029end\u0085'), 'para graph end ');
});

test('bidi embeddings, overrides and isolates are removed; direction marks and joiners are kept', () => {
  // "Trojan Source": an override makes "txt.exe" read as "exe.txt".
  assert.equal(stripControlCharacters('invoice\u202Etxt.exe'), 'invoicetxt.exe');
  assert.equal(stripControlCharacters('a\u202Ab\u202Bc\u202Cd\u202De\u2066f\u2067g\u2068h\u2069i\u061Cj\uFEFFk'), 'abcdefghijk');
  assert.equal(stripControlCharacters('שלום\u200Fabc\u200E'), 'שלום\u200Fabc\u200E');
  assert.equal(stripControlCharacters('👩\u200D💻 ZWNJ\u200Cok'), '👩\u200D💻 ZWNJ\u200Cok');
});

test('multi-line text keeps \\n and \\t, normalises CRLF and CR, removes the rest', () => {
  assert.equal(stripControlCharacters('one\r\ntwo\rthree\n\tfour\u0000\u202E', { multiline: true }), 'one\ntwo\nthree\n\tfour');
});

test('ordinary text, accents and emoji pass unchanged; hasControlCharacters agrees', () => {
  for (const text of ['Sprint 14 — Zürich', '=tbd', '-1 day buffer', '日本語のタイトル', '🚀 launch']) {
    assert.equal(stripControlCharacters(text), text);
    assert.equal(hasControlCharacters(text), false, text);
  }
  for (const text of ['a\u0000', 'b\n', 'c\u202E', 'd\u2066', 'e\t']) assert.equal(hasControlCharacters(text), true, JSON.stringify(text));
});

test('half a surrogate pair (JSON allows it, UTF-8 does not) becomes U+FFFD; whole pairs stay', () => {
  assert.equal(stripControlCharacters('a\uD800b\uDC00c 😀'), 'a\uFFFDb\uFFFDc 😀');
  assert.doesNotThrow(() => encodeURIComponent(stripControlCharacters('x\uDBFF')));
});
