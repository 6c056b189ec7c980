/*
 * Escaping ids for Mermaid, DOT and comments: nothing an id holds may close a label, a string or
 * a comment, and what the reader sees is the id (with invisible characters made visible).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commentText, displayText, dotLabel, dotName, jsonText, mermaidText, nameText, quoteText } from '../../src/render/escape.js';
import { runParams } from '../arbitraries/settings.js';

/** What Mermaid shows for a label body: entity codes decoded. */
function decodeMermaid(s: string): string {
  return s.replace(/#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
}

const HOSTILE = [
  '"',
  '""]',
  'a"]; n1["pwned',
  '[x]',
  '(y)',
  '{z}',
  '<b>bold</b>',
  '#35;',
  '#quot;',
  '%%{init: {"theme":"dark"}}%%',
  '`markdown`',
  'a|b',
  'line\nbreak',
  'cr\rlf',
  'tab\there',
  'nul\u0000',
  'sep\u2028sep',
  'rtl\u202eevil',
  'lone\ud800',
  'back\\slash\\',
  '\\N\\G\\n',
  'style: #a;',
  'classDef x fill:#f00;',
  '__proto__',
  'constructor',
  'emoji 😀',
  'zażółć',
  ' ',
  'a:b',
];

describe('displayText', () => {
  it('makes invisible and line-breaking characters visible, and leaves the rest', () => {
    expect(displayText('a\nb')).toBe('a\\u000ab');
    expect(displayText('x\u202ey')).toBe('x\\u202ey');
    expect(displayText('s\u2028')).toBe('s\\u2028');
    expect(displayText('\ud800x')).toBe('\\ud800x');
    expect(displayText('😀 zażółć "q" \\')).toBe('😀 zażółć "q" \\');
  });
});

describe('mermaidText', () => {
  it('escapes quotes, brackets and markup as entity codes', () => {
    expect(mermaidText('a "b" [c]')).toBe('a #34;b#34; #91;c#93;');
    expect(mermaidText('<i>')).toBe('#60;i#62;');
    expect(mermaidText('#35;')).toBe('#35;35#59;');
    expect(mermaidText('sales-team_2 (EU)')).toBe('sales-team_2 (EU)');
  });

  it('keeps only safe characters, and decodes back to what a person should see', () => {
    const check = (s: string): void => {
      const out = mermaidText(s);
      expect(out).toMatch(/^[\p{L}\p{N} _.,/+@()#;-]*$/u);
      expect(out).not.toMatch(/[":%[\]<>`|\\\n]/);
      expect(decodeMermaid(out)).toBe(displayText(s));
    };
    for (const s of HOSTILE) check(s);
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => check(s)), runParams(500));
  });
});

/** The value Graphviz reads from a quoted string body: `\"` is a quote, every other backslash stays. */
function dotValue(body: string): string {
  return body.replace(/\\(["\\])/g, (_, c: string) => (c === '"' ? '"' : '\\\\'));
}

describe('dotName', () => {
  it('escapes quotes and backslashes, and writes invisible characters as \\uXXXX', () => {
    expect(dotName('a"b\\')).toBe('a\\"b\\\\');
    expect(dotName('x\ny')).toBe('x\\u000ay');
  });

  it('is a well-formed string body, and different ids give different names', () => {
    const wellFormed = /^(?:[^"\\\n\r]|\\.)*$/u;
    for (const s of HOSTILE) expect(dotName(s)).toMatch(wellFormed);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), (a, b) => {
        expect(dotName(a)).toMatch(wellFormed);
        if (a !== b) expect(dotValue(dotName(a))).not.toBe(dotValue(dotName(b)));
      }),
      runParams(1000),
    );
    // The classic collision: a literal "\u000a" and a real line break.
    expect(dotValue(dotName('\\u000a'))).not.toBe(dotValue(dotName('\n')));
  });
});

describe('dotLabel', () => {
  it('doubles backslashes so that Graphviz shows \\N and \\n instead of reading them', () => {
    expect(dotLabel('\\N')).toBe('\\\\N');
    expect(dotLabel('say "hi"')).toBe('say \\"hi\\"');
    expect(dotLabel('a\nb')).toBe('a\\\\u000ab');
    for (const s of HOSTILE) expect(dotLabel(s)).toMatch(/^(?:[^"\\\n\r]|\\["\\])*$/u);
  });
});

describe('commentText', () => {
  it('quotes an id on one line', () => {
    for (const s of HOSTILE) {
      const c = commentText(s);
      expect(c).not.toMatch(/[\n\r\u2028\u2029\u0000]/);
      expect(c.startsWith('"') && c.endsWith('"')).toBe(true);
    }
    expect(commentText('a\u2028b')).toBe('"a\\u2028b"');
  });
});

describe('names from data in one line of text', () => {
  const RAW = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
  it('quoteText: JSON quoting with every invisible character escaped, and it reads back as the name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const q = quoteText(s);
        expect(q).not.toMatch(RAW);
        expect(JSON.parse(q)).toBe(s);
      }),
      runParams(300),
    );
    expect(quoteText('view\nALLOW "x"\u202e')).toBe('"view\\nALLOW \\"x\\"\\u202e"');
  });

  it('nameText: plain names bare, everything else quoted', () => {
    for (const plain of ['edit', 'lead', 'readWrite', 'a.b:c@d/e-f_1', 'x'.repeat(64)]) expect(nameText(plain)).toBe(plain);
    for (const odd of ['', ' ', 'view\nALLOW', 'a b', '"', 'x'.repeat(65), '-x', 'é', 'a\u202eb']) {
      expect(nameText(odd)).toBe(quoteText(odd));
    }
  });

  it('jsonText: the same JSON value, with no raw invisible character inside strings', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (v, s) => {
        const value = { v, s };
        const text = jsonText(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        for (const line of text.split('\n')) expect(line).not.toMatch(RAW);
      }),
      runParams(200),
    );
  });
});
