// Characters that render like Latin letters, folded to the lower-case Latin letter they imitate.
// NFKC already handles full-width and mathematical alphanumerics; these are the look-alikes it
// leaves alone (Cyrillic, Greek, Armenian, IPA and a few symbols), after Unicode's confusables.txt.
const PAIRS: Array<[string, string]> = [
  // Cyrillic
  ["а", "a"], ["А", "a"], ["в", "b"], ["В", "b"], ["с", "c"], ["С", "c"], ["ԁ", "d"], ["е", "e"], ["Е", "e"], ["ё", "e"],
  ["һ", "h"], ["Н", "h"], ["і", "i"], ["І", "i"], ["ї", "i"], ["ј", "j"], ["Ј", "j"], ["к", "k"], ["К", "k"], ["ӏ", "l"],
  ["м", "m"], ["М", "m"], ["п", "n"], ["о", "o"], ["О", "o"], ["р", "p"], ["Р", "p"], ["ԛ", "q"], ["г", "r"], ["ѕ", "s"],
  ["Ѕ", "s"], ["т", "t"], ["Т", "t"], ["ц", "u"], ["υ", "u"], ["ѵ", "v"], ["ԝ", "w"], ["х", "x"], ["Х", "x"], ["у", "y"],
  ["У", "y"], ["ү", "y"], ["Ζ", "z"],
  // Greek
  ["α", "a"], ["Α", "a"], ["β", "b"], ["Β", "b"], ["ϲ", "c"], ["ε", "e"], ["Ε", "e"], ["Η", "h"], ["ι", "i"], ["Ι", "i"],
  ["κ", "k"], ["Κ", "k"], ["Μ", "m"], ["ν", "v"], ["Ν", "n"], ["ο", "o"], ["Ο", "o"], ["ρ", "p"], ["Ρ", "p"], ["τ", "t"],
  ["Τ", "t"], ["χ", "x"], ["Χ", "x"], ["γ", "y"], ["Υ", "y"], ["ζ", "z"],
  // Armenian, IPA, Latin extensions
  ["օ", "o"], ["ս", "u"], ["ց", "g"], ["ɡ", "g"], ["ɑ", "a"], ["ı", "i"], ["ɩ", "i"], ["ʟ", "l"], ["ɴ", "n"], ["ʀ", "r"],
  ["ꜱ", "s"], ["ᴀ", "a"], ["ʙ", "b"], ["ᴄ", "c"], ["ᴅ", "d"], ["ᴇ", "e"], ["ɢ", "g"], ["ʜ", "h"], ["ɪ", "i"], ["ᴊ", "j"],
  ["ᴋ", "k"], ["ᴍ", "m"], ["ᴏ", "o"], ["ᴘ", "p"], ["ᴛ", "t"], ["ᴜ", "u"], ["ᴠ", "v"], ["ᴡ", "w"], ["ʏ", "y"], ["ᴢ", "z"],
];

export const CONFUSABLES: ReadonlyMap<number, number> = new Map(PAIRS.map(([from, to]) => [from.charCodeAt(0), to.charCodeAt(0)]));

// Typographic quotes, primes and dashes, folded to the ASCII mark they stand for: "don’t" is
// "don't" to a folded-view rule, which then needs no ’ of its own (and the folded view of text
// with curly quotes can stay one byte per unit, see folded-view.ts).
const TYPOGRAPHIC_PAIRS: Array<[string, string]> = [
  ["\u2018", "'"], ["\u2019", "'"], ["\u201a", "'"], ["\u201b", "'"], ["\u2032", "'"],
  ["\u201c", '"'], ["\u201d", '"'], ["\u201e", '"'], ["\u201f", '"'], ["\u2033", '"'],
  ["\u2010", "-"], ["\u2011", "-"], ["\u2012", "-"], ["\u2013", "-"], ["\u2014", "-"], ["\u2015", "-"], ["\u2212", "-"],
];

export const TYPOGRAPHIC: ReadonlyMap<number, number> = new Map(TYPOGRAPHIC_PAIRS.map(([from, to]) => [from.charCodeAt(0), to.charCodeAt(0)]));
