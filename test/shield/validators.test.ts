// Unit tests for the Shield validators: the checks that turn a pattern match into a finding.
// Every value here is synthetic: generated with the published algorithms, or the standard
// documentation examples of each format (ECBS IBANs, the BZSt Steuer-ID, 12345678Z ...).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crc32 } from "node:zlib";
import {
  bsnValid,
  charClasses,
  cpfValid,
  credentialPairValid,
  entropy,
  githubChecksumValid,
  ibanValid,
  isPlaceholder,
  isTemplate,
  jwtValid,
  looksLikeIdentifier,
  luhn,
  paymentCardValid,
  phoneValid,
  runValidators,
  spanishIdValid,
  ssnValid,
  steuerIdValid,
} from "../../src/shield/validators.ts";

const b64url = (s: string) => Buffer.from(s).toString("base64url");

describe("luhn", () => {
  it("accepts Luhn-valid numbers with or without separators", () => {
    assert.ok(luhn("4770227958496506"));
    assert.ok(luhn("4956 3677 9745 7115"));
    assert.ok(luhn("5580-4359-2557-1395"));
  });
  it("rejects a wrong check digit, letters and out-of-range lengths", () => {
    assert.ok(!luhn("4770227958496507"));
    assert.ok(!luhn("4738643006776083"));
    assert.ok(!luhn("4770a27958496506"));
    assert.ok(!luhn("79927398713")); // valid Luhn, but 11 digits is no card
    assert.ok(!luhn("47702279584965060000"));
  });
});

describe("payment cards", () => {
  it("accepts Luhn-valid numbers of a known brand and length", () => {
    for (const card of ["4956 3677 9745 7115", "5580-4359-2557-1395", "3777 458994 14077", "3543706608222949", "36192163524104", "6296559491769423", "2654208700813201"]) {
      assert.ok(paymentCardValid(card), card);
    }
  });
  it("rejects mixed separators and odd grouping", () => {
    assert.ok(!paymentCardValid("4956-3677 9745 7115"));
    assert.ok(!paymentCardValid("49 5636 7797 4571 15"));
  });
  it("rejects unknown issuers, wrong lengths and test numbers", () => {
    assert.ok(!paymentCardValid("1234567812345670")); // Luhn-valid, no issuer starts with 1
    assert.ok(!paymentCardValid("37774589941407")); // Amex is 15 digits
    assert.ok(!paymentCardValid("4111 1111 1111 1111"));
    assert.ok(!paymentCardValid("4242424242424242"));
  });
  it("rejects a wrong check digit", () => assert.ok(!paymentCardValid("4956 3677 9745 7116")));
});

describe("IBAN (mod-97 and country length)", () => {
  it("accepts valid IBANs, spaced or not, any case", () => {
    for (const iban of ["DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32", "FR07 5071 7329 12AI SLVZ NA72 636", "NL44QAVA0057382271", "IT12R6406367561P3X6GA6CZA14", "BE50792240021857", "CH32421554CWG9K0UDAEA", "de89370400440532013000"]) {
      assert.ok(ibanValid(iban), iban);
    }
  });
  it("rejects a wrong check, a wrong length and an unknown country", () => {
    assert.ok(!ibanValid("GB82 WEST 1234 5698 7654 33"));
    assert.ok(!ibanValid("DE89 3704 0044 0532 0130 0")); // 21 characters, Germany has 22
    assert.ok(!ibanValid("QQ89 3704 0044 0532 0130 00"));
    assert.ok(!ibanValid("DE89"));
  });
});

describe("entropy", () => {
  it("is 0 for empty and single-symbol strings", () => {
    assert.equal(entropy(""), 0);
    assert.equal(entropy("aaaaaaaa"), 0);
  });
  it("is log2(n) for n equally frequent symbols", () => {
    assert.equal(entropy("ab"), 1);
    assert.equal(entropy("abcd"), 2);
    assert.ok(Math.abs(entropy("0123456789abcdef") - 4) < 1e-9);
  });
  it("separates random tokens from repetitive ones", () => {
    assert.ok(entropy("dafa7817e24648f391a7e87653d587b8") > 3.5);
    assert.ok(entropy("12312312312312312312") < 2);
  });
});

describe("placeholders and templates", () => {
  it("recognises documentation placeholders", () => {
    for (const v of ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "sk-...xxxx", "<your-key>", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "YOUR_API_KEY", "changeme", "********", "AKIAAAAAAAAAAAAAAAAA", "${AWS_SECRET}", "{{ secrets.TOKEN }}", "$DB_PASSWORD", "%API_KEY%", "[PASSWORD]", "password", "test_key_123"]) {
      assert.ok(isPlaceholder(v), v);
    }
  });
  it("counts obviously sequential values as placeholders but not as templates", () => {
    assert.ok(isPlaceholder("12345678-ABCD-ABCD-ABCD-1234567890AB"));
    assert.ok(!isTemplate("12345678-ABCD-ABCD-ABCD-1234567890AB"));
    assert.ok(isPlaceholder("AIzaSyabcdefghijklmnopqrstuvwxyz1234567"));
  });
  it("leaves random-looking values alone", () => {
    for (const v of ["AKIANB2CTJZZUB2BENCD", "ghp_cPJ6x7V4swvIcJWrWwVQSU007DJEw5QxT2mR", "t3duFgk%dzopSe7KaTeq", "cafebabe:deadbeef"]) {
      assert.ok(!isPlaceholder(v), v);
      assert.ok(!isTemplate(v), v);
    }
  });
});

describe("character classes", () => {
  it("counts lower, upper, digits and other characters", () => {
    assert.deepEqual(charClasses("abc"), { count: 1, digit: false });
    assert.deepEqual(charClasses("aB3-"), { count: 4, digit: true });
  });
  it("drives the char_classes validator", () => {
    assert.ok(runValidators([{ type: "char_classes", min: 2, digit: true }], "abc123"));
    assert.ok(!runValidators([{ type: "char_classes", min: 2, digit: true }], "abcDEF"));
    assert.ok(!runValidators([{ type: "char_classes", min: 3 }], "abc123"));
  });
});

describe("identifier-like values", () => {
  it("flags code references, word compounds, versions, paths and e-mails", () => {
    for (const v of ["config.api_key_v2", "settings.SECRET_KEY", "NEXUS-GPT4-API-KEY", "my-secret-value", "1.2.3-beta.4", "/etc/ssl/private/key.pem", "./secrets/token.txt", "alerts@acme.io"]) {
      assert.ok(looksLikeIdentifier(v), v);
    }
  });
  it("leaves secrets alone", () => {
    for (const v of ["dafa7817-e246-48f3-91a7-e87653d587b8", "s3cr3t-P4ss-w0rd9", "t3duFgk%dzopSe7KaTeq", "eyJ0eXAioiJKV1slS3oASx=="]) {
      assert.ok(!looksLikeIdentifier(v), v);
    }
  });
});

describe("JWT", () => {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ sub: "sdpxyb81rt", iat: 1705036967 }));
  it("accepts tokens whose header is JSON naming an alg", () => {
    assert.ok(jwtValid(`${header}.${payload}.lkYfdRHTPCVGKTHOBPusL8bUiMJJDLkz9lzbyz0BsYj`));
    assert.ok(jwtValid(`${b64url('{"alg":"none"}')}.${payload}.`));
    assert.ok(jwtValid(`${b64url('{"kid":"k1","alg":"RS256"}')}.${payload}`)); // cut off before the signature
  });
  it("rejects headers that are not JSON, lack alg, or a single part", () => {
    assert.ok(!jwtValid(`${b64url("not a json header at all")}.${payload}.sig`));
    assert.ok(!jwtValid(`${b64url('{"typ":"JWT"}')}.${payload}.sig`));
    assert.ok(!jwtValid(`${b64url("[1,2]")}.${payload}.sig`));
    assert.ok(!jwtValid(header));
  });
});

describe("credential pairs (user:password)", () => {
  it("accepts real-looking pairs and a lone API key as user name", () => {
    assert.ok(credentialPairValid("elastic:t3duFgk%dzop"));
    assert.ok(credentialPairValid("deploy:Xq9-vR2mLp7"));
    assert.ok(credentialPairValid("sk_Tq9vR2mLp7Xk4Wn8Zc:"));
  });
  it("rejects dummy, template and variable values", () => {
    for (const v of ["test:test", "user:pass", "username:password", "username:token", "$1:$2", "${USER}:${PASSWORD}", "<user:password>", "neo4j:[PASSWORD]", "xxx:yyy", "postgres:postgres", "admin:", "myusername"]) {
      assert.ok(!credentialPairValid(v), v);
    }
  });
});

describe("US SSN", () => {
  it("accepts numbers in valid ranges", () => {
    assert.ok(ssnValid("821-22-5003"));
    assert.ok(ssnValid("821225003"));
  });
  it("rejects area 000, 666 and 9xx, group 00 and serial 0000", () => {
    for (const v of ["000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000", "111-11-1111", "123-45-6789", "078-05-1120"]) assert.ok(!ssnValid(v), v);
  });
});

describe("Spanish DNI / NIE", () => {
  it("accepts correct check letters", () => {
    for (const v of ["12345678Z", "40011697T", "40011697-T", "Z9191730S"]) assert.ok(spanishIdValid(v), v);
  });
  it("rejects wrong letters and malformed numbers", () => {
    for (const v of ["12345678A", "29439921H", "X9685800C", "1234567Z", "00000000T"]) assert.ok(!spanishIdValid(v), v);
  });
});

describe("Dutch BSN (11-test)", () => {
  it("accepts valid numbers", () => {
    assert.ok(bsnValid("111222333"));
    assert.ok(bsnValid("888645296"));
    assert.ok(bsnValid("8886.45.296"));
  });
  it("rejects failing numbers and all zeros", () => {
    assert.ok(!bsnValid("833096632"));
    assert.ok(!bsnValid("111222334"));
    assert.ok(!bsnValid("000000000"));
  });
});

describe("German Steuer-ID", () => {
  it("accepts valid numbers", () => {
    assert.ok(steuerIdValid("86095742719"));
    assert.ok(steuerIdValid("87 157 240 971"));
  });
  it("rejects a wrong check digit, a leading zero and the digit-repeat rule", () => {
    assert.ok(!steuerIdValid("86095742718"));
    assert.ok(!steuerIdValid("06095742719"));
    assert.ok(!steuerIdValid("12345678901")); // no digit repeats in the first ten
    assert.ok(!steuerIdValid("11112345678")); // one digit four times
  });
});

describe("Brazilian CPF", () => {
  it("accepts valid numbers, formatted or not", () => {
    assert.ok(cpfValid("529.982.247-25"));
    assert.ok(cpfValid("559.903.949-85"));
    assert.ok(cpfValid("39011158970"));
  });
  it("rejects wrong check digits and repeated digits", () => {
    assert.ok(!cpfValid("529.982.247-26"));
    assert.ok(!cpfValid("416.174.795-01"));
    assert.ok(!cpfValid("111.111.111-11"));
  });
});

describe("phone numbers", () => {
  it("accepts 8 to 15 digits", () => {
    assert.ok(phoneValid("+44 20 7946 0958"));
    assert.ok(phoneValid("(415) 555-0142"));
  });
  it("rejects too few, too many or repeated digits", () => {
    assert.ok(!phoneValid("+1 555 01"));
    assert.ok(!phoneValid("+1234567890123456"));
    assert.ok(!phoneValid("+1 111 111 1111"));
  });
});

describe("GitHub token checksum", () => {
  // Tokens are built here rather than written out, so no checksum-valid token sits in the source.
  const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const base62 = (n: number) => {
    let out = "";
    for (let v = n; v > 0; v = Math.floor(v / 62)) out = BASE62[v % 62] + out;
    return out.padStart(6, "0");
  };
  const token = (prefix: string, body: string) => `${prefix}_${body}${base62(crc32(body))}`;
  const body = "cPJ6x7V4swvIcJWrWwVQSU007DJEw5";
  it("accepts tokens whose last six characters are the CRC32 of the rest", () => {
    assert.ok(githubChecksumValid(token("ghp", body)));
    assert.ok(githubChecksumValid(token("gho", "BwG1Se894ZJhmWpdjmtGAHwn5JaXXE")));
  });
  it("rejects a changed character, a wrong length or another prefix", () => {
    const good = token("ghp", body);
    assert.ok(!githubChecksumValid(`${good.slice(0, -1)}${good.endsWith("a") ? "b" : "a"}`));
    assert.ok(!githubChecksumValid(`ghp_d${good.slice(5)}`));
    assert.ok(!githubChecksumValid(good.slice(0, -3)));
    assert.ok(!githubChecksumValid(`ghx_${good.slice(4)}`));
  });
});

describe("runValidators", () => {
  it("requires every validator to pass", () => {
    assert.ok(runValidators([{ type: "not_placeholder" }, { type: "entropy", min: 3 }], "AKIANB2CTJZZUB2BENCD"));
    assert.ok(!runValidators([{ type: "not_placeholder" }, { type: "entropy", min: 3 }], "AKIAIOSFODNN7EXAMPLE"));
    assert.ok(!runValidators([{ type: "entropy", min: 3 }], "GR134894112312312312312312312"));
  });
  it("dispatches every validator type", () => {
    assert.ok(runValidators([{ type: "luhn" }, { type: "payment_card" }], "4956 3677 9745 7115"));
    assert.ok(runValidators([{ type: "iban" }], "GB82 WEST 1234 5698 7654 32"));
    assert.ok(runValidators([{ type: "not_template" }], "12345678-ABCD-ABCD-ABCD-1234567890AB"));
    assert.ok(!runValidators([{ type: "github_checksum" }], "ghp_cPJ6x7V4swvIcJWrWwVQSU007DJEw5000000"));
    assert.ok(runValidators([{ type: "min_distinct", min: 4 }], "abcd"));
    assert.ok(runValidators([{ type: "jwt" }], `${b64url('{"alg":"none"}')}.${b64url("{}")}.`));
    assert.ok(runValidators([{ type: "credential_pair" }], "deploy:Xq9-vR2mLp7"));
    assert.ok(runValidators([{ type: "ssn" }], "821-22-5003"));
    assert.ok(runValidators([{ type: "es_dni" }], "12345678Z"));
    assert.ok(runValidators([{ type: "nl_bsn" }], "111222333"));
    assert.ok(runValidators([{ type: "de_steuer_id" }], "86095742719"));
    assert.ok(runValidators([{ type: "br_cpf" }], "529.982.247-25"));
    assert.ok(runValidators([{ type: "phone" }], "+44 20 7946 0958"));
    assert.ok(runValidators([{ type: "not_identifier" }], "t3duFgk%dzopSe7KaTeq"));
    assert.ok(!runValidators([{ type: "not_identifier" }], "config.api_key_v2"));
  });
});
