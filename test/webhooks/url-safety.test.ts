// SSRF defences as an attacker would probe them: every spelling of loopback, private, link-local,
// metadata, multicast and unspecified destinations is refused, and a host name is judged by every
// address it resolves to.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { classifyAddress, isAllowedAddress } from "../../src/webhooks/delivery/address-policy.ts";
import { checkDestination, checkUrlSyntax, DestinationRefusedError, guardedLookup, resolveAllowed } from "../../src/webhooks/delivery/url-policy.ts";

const strict = { allowPrivate: false };
const relaxed = { allowPrivate: true };

describe("address classification", () => {
  const cases: Array<[string, string]> = [
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["172.32.0.1", "public"],
    ["2606:4700:4700::1111", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.0.1", "private"],
    ["100.64.0.1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["169.254.169.254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["100.100.100.200", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["192.0.2.1", "reserved"],
    ["2001:db8::1", "reserved"],
    // IPv6 forms that carry an IPv4 address are judged by that address.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.1.2.3", "private"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:8.8.8.8", "public"],
    ["64:ff9b::7f00:1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:a00:1::", "private"],
    ["::127.0.0.1", "reserved"],
    ["2001:0:4136:e378::1", "reserved"],
  ];
  for (const [address, expected] of cases) {
    it(`${address} is ${expected}`, () => assert.equal(classifyAddress(address), expected));
  }

  it("classifies an IPv4 address and every IPv6 form carrying it alike", () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const [a = 0, b = 0, c = 0, d = 0] = v4.split(".").map(Number);
        const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        const kind = classifyAddress(v4);
        assert.equal(classifyAddress(`::ffff:${v4}`), kind);
        assert.equal(classifyAddress(`::ffff:${hex}`), kind);
        assert.equal(classifyAddress(`0:0:0:0:0:ffff:${hex}`), kind);
        assert.equal(classifyAddress(`64:ff9b::${hex}`), kind);
        assert.equal(classifyAddress(`2002:${hex}::1`), kind);
      }),
    );
  });

  it("never allows metadata, multicast or unspecified addresses, even with private allowed", () => {
    for (const address of ["169.254.169.254", "fd00:ec2::254", "224.0.0.1", "0.0.0.0", "::", "ff02::1"]) {
      assert.equal(isAllowedAddress(address, true), false, address);
    }
    for (const address of ["127.0.0.1", "::1", "10.0.0.1", "192.168.1.1", "fe80::1"]) {
      assert.equal(isAllowedAddress(address, false), false, address);
      assert.equal(isAllowedAddress(address, true), true, address);
    }
  });
});

describe("webhook URL checks", () => {
  const refused = (url: string, policy = strict) => assert.throws(() => checkUrlSyntax(url, policy), DestinationRefusedError, url);

  it("accepts http and https URLs to public addresses", () => {
    assert.equal(checkUrlSyntax("https://93.184.216.34/hook", strict).hostname, "93.184.216.34");
    assert.equal(checkUrlSyntax("http://[2606:4700::1111]:8443/x?y=1", strict).port, "8443");
  });

  it("refuses other schemes, credentials and garbage", () => {
    for (const url of ["ftp://93.184.216.34/", "file:///etc/passwd", "gopher://93.184.216.34/", "javascript:alert(1)", "not a url", "//93.184.216.34/", "https://user:pw@93.184.216.34/"]) refused(url);
    refused(`https://93.184.216.34/${"a".repeat(2100)}`);
  });

  it("refuses loopback and private literals in every spelling the URL parser accepts", () => {
    for (const url of [
      "http://127.0.0.1/",
      "http://127.1/",
      "http://2130706433/",
      "http://0x7f000001/",
      "http://0177.0.0.1/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[0:0:0:0:0:ffff:7f00:1]/",
      "http://10.0.0.1/",
      "http://0.0.0.0/",
      "http://0/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[fe80::1]/",
    ]) {
      refused(url);
    }
  });

  it("lets CLAWNEX_WEBHOOK_ALLOW_PRIVATE open loopback and private, but never metadata or unspecified", () => {
    assert.equal(checkUrlSyntax("http://127.0.0.1:8080/", relaxed).port, "8080");
    assert.equal(checkUrlSyntax("http://10.1.2.3/", relaxed).hostname, "10.1.2.3");
    refused("http://169.254.169.254/", relaxed);
    refused("http://0.0.0.0/", relaxed);
    refused("http://metadata.google.internal/computeMetadata/v1/", relaxed);
    refused("http://METADATA.google.internal./", relaxed);
  });

  it("judges a host name by every address it resolves to", async () => {
    const resolver = async (host: string) =>
      host === "mixed.example"
        ? [
            { address: "93.184.216.34", family: 4 },
            { address: "10.0.0.5", family: 4 },
          ]
        : host === "public.example"
          ? [{ address: "93.184.216.34", family: 4 }]
          : [];
    await assert.rejects(checkDestination("https://mixed.example/hook", strict, resolver), DestinationRefusedError);
    await assert.rejects(checkDestination("https://nowhere.example/hook", strict, resolver), /could not be resolved/);
    assert.equal((await checkDestination("https://public.example/hook", strict, resolver)).hostname, "public.example");
  });

  it("never names the resolved address in its refusal (no internal-DNS oracle)", async () => {
    const resolver = async () => [{ address: "10.20.30.40", family: 4 }];
    await assert.rejects(resolveAllowed("internal.example", strict, resolver), (err: Error) => !err.message.includes("10.20.30.40"));
  });

  it("the guarded lookup hands a socket only checked addresses, and refuses a rebinding answer", async () => {
    let answer = [{ address: "93.184.216.34", family: 4 }];
    const lookup = guardedLookup(strict, async () => answer);
    const call = () =>
      new Promise<{ err: Error | null; address: unknown }>((resolve) => {
        lookup("rebind.example", { all: true }, (err: NodeJS.ErrnoException | null, address: unknown) => resolve({ err, address }));
      });
    assert.deepEqual((await call()).address, answer);
    answer = [{ address: "127.0.0.1", family: 4 }];
    const second = await call();
    assert.ok(second.err instanceof DestinationRefusedError);
  });
});
