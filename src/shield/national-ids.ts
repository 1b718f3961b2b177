// Check digits and structural rules of national identifiers, so that a number with the right
// shape but an impossible checksum is not reported as PII.

/** US Social Security number: no 000/666/9xx area, no 00 group, no 0000 serial. */
export function ssnValid(value: string): boolean {
  const digits = value.replace(/[\s-]/g, "");
  if (!/^\d{9}$/.test(digits)) return false;
  const area = digits.slice(0, 3);
  if (area === "000" || area === "666" || area.startsWith("9")) return false;
  if (digits.slice(3, 5) === "00" || digits.slice(5) === "0000") return false;
  // Numbers the SSA voided after they were published in advertising and samples.
  if (digits === "123456789" || digits === "078051120" || digits === "219099999") return false;
  return new Set(digits).size > 2;
}

const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";

/** Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter): the letter is number mod 23. */
export function spanishIdValid(value: string): boolean {
  const v = value.replace(/[\s-]/g, "").toUpperCase();
  const m = /^([XYZ]?)(\d{7,8})([A-Z])$/.exec(v);
  if (!m) return false;
  const [, prefix = "", digits = "", letter = ""] = m;
  if (prefix === "" && digits.length !== 8) return false;
  if (prefix !== "" && digits.length !== 7) return false;
  const number = Number(`${prefix === "" ? "" : String("XYZ".indexOf(prefix))}${digits}`);
  if (new Set(digits).size <= 1) return false;
  return DNI_LETTERS[number % 23] === letter;
}

/** Dutch BSN: 9 digits passing the "11-proef" (9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11). */
export function bsnValid(value: string): boolean {
  const digits = value.replace(/[\s.-]/g, "");
  if (!/^\d{9}$/.test(digits) || new Set(digits).size <= 2) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * (digits.charCodeAt(i) - 48);
  sum -= digits.charCodeAt(8) - 48;
  return sum > 0 && sum % 11 === 0;
}

/** German tax identification number (Steuer-ID): 11 digits, ISO 7064 MOD 11,10 check digit and the digit-repeat rule. */
export function steuerIdValid(value: string): boolean {
  const digits = value.replace(/[\s/-]/g, "");
  if (!/^[1-9]\d{10}$/.test(digits)) return false;
  const counts = new Map<string, number>();
  for (const d of digits.slice(0, 10)) counts.set(d, (counts.get(d) ?? 0) + 1);
  const repeated = [...counts.values()].filter((c) => c > 1);
  if (repeated.length !== 1 || (repeated[0] as number) > 3) return false;
  let product = 10;
  for (let i = 0; i < 10; i++) {
    let sum = (digits.charCodeAt(i) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  let check = 11 - product;
  if (check === 10) check = 0;
  return check === digits.charCodeAt(10) - 48;
}

/** Brazilian CPF: 11 digits with two mod-11 check digits; one repeated digit is invalid. */
export function cpfValid(value: string): boolean {
  const digits = value.replace(/[\s.-]/g, "");
  if (!/^\d{11}$/.test(digits) || new Set(digits).size === 1) return false;
  const d = [...digits].map(Number);
  const check = (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (d[i] as number) * (n + 1 - i);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  return check(9) === d[9] && check(10) === d[10];
}
