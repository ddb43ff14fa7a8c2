// WeCom callback crypto: the official sample's URL check, signed encrypted callbacks, and every refusal.
import { createCipheriv, createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decryptWecom, encryptWecom, encryptWecomReply, readWecomMessage, readWecomXml, verifyWecomCallback, verifyWecomUrl, wecomSignature, WECOM_XML_MAX_BYTES } from "../../src/chat/wecom/crypto";

// From WeCom's official WXBizMsgCrypt sample (Sample.php, 加解密库).
const SAMPLE = { token: "QDG6eK", encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", corpId: "wx5823bf96d3bd56c7" };
const SAMPLE_GET = {
  msg_signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
  timestamp: "1409659589",
  nonce: "263014780",
  echostr: "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
};

const envelope = (encrypted: string) => `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
const pressXml = `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[ack:L-1]]></EventKey><TaskId><![CDATA[t-42]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[rc-1]]></ResponseCode><AgentID>1000002</AgentID></xml>`;

async function signedPost(plain: string, opts: { corpId?: string; timestamp?: string } = {}) {
  const enc = encryptWecom({ ...SAMPLE, corpId: opts.corpId ?? SAMPLE.corpId }, plain);
  if (!enc.ok) throw new Error(enc.reason);
  const timestamp = opts.timestamp ?? "1700000000";
  const nonce = "1234567";
  return { query: { msg_signature: await wecomSignature(SAMPLE.token, timestamp, nonce, enc.value), timestamp, nonce }, body: envelope(enc.value), encrypted: enc.value };
}

/** An independent encryption with node:crypto, to show the format (not only our own round trip) is read. */
function nodeEncrypt(msg: string, corpId: string, pad = 32): string {
  const key = Buffer.from(SAMPLE.encodingAesKey + "=", "base64");
  const m = Buffer.from(msg);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(m.length);
  const plain = Buffer.concat([Buffer.alloc(16, 1), len, m, Buffer.from(corpId)]);
  const n = pad - (plain.length % pad);
  const c = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(Buffer.concat([plain, Buffer.alloc(n, n)])), c.final()]).toString("base64");
}

describe("WeCom callback crypto", () => {
  it("answers the official sample's URL verification with its echostr plaintext", async () => {
    expect(await verifyWecomUrl(SAMPLE, SAMPLE_GET)).toEqual({ ok: true, value: "1616140317555161061" });
  });

  it("computes msg_signature as hex SHA-1 of the sorted four strings (as node:crypto does)", async () => {
    const parts = [SAMPLE.token, SAMPLE_GET.timestamp, SAMPLE_GET.nonce, SAMPLE_GET.echostr];
    expect(await wecomSignature(...(parts as [string, string, string, string]))).toBe(createHash("sha1").update([...parts].sort().join("")).digest("hex"));
    expect(await wecomSignature(...(parts as [string, string, string, string]))).toBe(SAMPLE_GET.msg_signature);
  });

  it("refuses the sample URL check with a forged signature, a changed nonce or a missing parameter", async () => {
    expect(await verifyWecomUrl(SAMPLE, { ...SAMPLE_GET, msg_signature: "0".repeat(40) })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyWecomUrl(SAMPLE, { ...SAMPLE_GET, nonce: "263014781" })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyWecomUrl({ ...SAMPLE, token: "other" }, SAMPLE_GET)).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyWecomUrl(SAMPLE, { ...SAMPLE_GET, echostr: undefined })).toEqual({ ok: false, reason: "missing_parameter" });
  });

  it("reads a signed, encrypted template-card press and its fields", async () => {
    const { query, body } = await signedPost(pressXml);
    const plain = await verifyWecomCallback(SAMPLE, query, body);
    expect(plain.ok).toBe(true);
    const msg = readWecomMessage(plain.ok ? plain.value : "");
    expect(msg.ok && msg.message).toEqual({
      ToUserName: SAMPLE.corpId, FromUserName: "zhangsan", CreateTime: "1700000000", MsgType: "event", Event: "template_card_event",
      EventKey: "ack:L-1", TaskId: "t-42", CardType: "button_interaction", ResponseCode: "rc-1", AgentID: "1000002",
    });
  });

  it("decrypts what an independent node:crypto implementation of the published scheme encrypts", () => {
    expect(decryptWecom(SAMPLE, nodeEncrypt("你好, FundWatch", SAMPLE.corpId))).toEqual({ ok: true, value: "你好, FundWatch" });
  });

  it("refuses a message encrypted for another CorpID", async () => {
    expect(decryptWecom(SAMPLE, nodeEncrypt("hi", "ww0000000000000000"))).toEqual({ ok: false, reason: "wrong_receiver" });
    const { query, body } = await signedPost(pressXml, { corpId: "wwattacker" });
    expect(await verifyWecomCallback(SAMPLE, query, body)).toEqual({ ok: false, reason: "wrong_receiver" });
  });

  it("refuses bad padding, a lying length field, truncated and non-base64 ciphertext", () => {
    // 16-byte padding (valid for standard AES) leaves a block that is not a multiple of 32, or a bad pad byte.
    const r16 = decryptWecom(SAMPLE, nodeEncrypt("abc", SAMPLE.corpId, 16));
    expect(r16.ok).toBe(false);
    const key0 = Buffer.from(SAMPLE.encodingAesKey + "=", "base64");
    const rawEncrypt = (block: Buffer) => {
      const c = createCipheriv("aes-256-cbc", key0, key0.subarray(0, 16));
      c.setAutoPadding(false);
      return Buffer.concat([c.update(block), c.final()]).toString("base64");
    };
    const body = Buffer.concat([Buffer.alloc(16), Buffer.from([0, 0, 0, 2]), Buffer.from("hi"), Buffer.from(SAMPLE.corpId)]); // 40 bytes
    expect(decryptWecom(SAMPLE, rawEncrypt(Buffer.concat([body, Buffer.alloc(24, 24)])))).toEqual({ ok: true, value: "hi" });
    expect(decryptWecom(SAMPLE, rawEncrypt(Buffer.concat([body, Buffer.alloc(23, 24), Buffer.from([0])])))).toEqual({ ok: false, reason: "bad_padding" });
    expect(decryptWecom(SAMPLE, rawEncrypt(Buffer.concat([body, Buffer.alloc(23, 7), Buffer.from([24])])))).toEqual({ ok: false, reason: "bad_padding" });
    expect(decryptWecom(SAMPLE, rawEncrypt(Buffer.concat([body, Buffer.alloc(23, 33), Buffer.from([33])])))).toEqual({ ok: false, reason: "bad_padding" });
    const enc = nodeEncrypt("hello", SAMPLE.corpId);
    const bytes = Buffer.from(enc, "base64");
    expect(decryptWecom(SAMPLE, bytes.subarray(0, bytes.length - 16).toString("base64"))).toEqual({ ok: false, reason: "bad_ciphertext" });
    expect(decryptWecom(SAMPLE, bytes.subarray(0, bytes.length - 32).toString("base64")).ok).toBe(false);
    expect(decryptWecom(SAMPLE, "not*base64!")).toEqual({ ok: false, reason: "bad_base64" });
    expect(decryptWecom(SAMPLE, "")).toEqual({ ok: false, reason: "bad_base64" });
    // msg_len larger than what follows it.
    const key = Buffer.from(SAMPLE.encodingAesKey + "=", "base64");
    const plain = Buffer.concat([Buffer.alloc(16), Buffer.from([0, 0, 1, 0]), Buffer.from("short"), Buffer.from(SAMPLE.corpId)]);
    const n = 32 - (plain.length % 32);
    const c = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
    c.setAutoPadding(false);
    const lying = Buffer.concat([c.update(Buffer.concat([plain, Buffer.alloc(n, n)])), c.final()]).toString("base64");
    expect(decryptWecom(SAMPLE, lying)).toEqual({ ok: false, reason: "bad_length" });
    expect(decryptWecom({ ...SAMPLE, encodingAesKey: "short" }, enc)).toEqual({ ok: false, reason: "bad_aes_key" });
  });

  it("refuses a forged callback, a tampered ciphertext and (when asked) a stale timestamp", async () => {
    const { query, body, encrypted } = await signedPost(pressXml, { timestamp: "1700000000" });
    expect(await verifyWecomCallback(SAMPLE, { ...query, msg_signature: "f".repeat(40) }, body)).toEqual({ ok: false, reason: "bad_signature" });
    const flipped = (encrypted[0] === "A" ? "B" : "A") + encrypted.slice(1);
    expect(await verifyWecomCallback(SAMPLE, query, envelope(flipped))).toEqual({ ok: false, reason: "bad_signature" });
    const now = new Date(1700000000 * 1000 + 10 * 60_000);
    expect(await verifyWecomCallback(SAMPLE, query, body, { now, maxSkewMs: 5 * 60_000 })).toEqual({ ok: false, reason: "stale_timestamp" });
    expect((await verifyWecomCallback(SAMPLE, query, body, { now: new Date(1700000000 * 1000), maxSkewMs: 5 * 60_000 })).ok).toBe(true);
  });

  it("refuses oversized bodies and ciphertexts before any work", async () => {
    const big = "A".repeat(WECOM_XML_MAX_BYTES + 4);
    expect(decryptWecom(SAMPLE, big)).toEqual({ ok: false, reason: "too_large" });
    expect(await verifyWecomCallback(SAMPLE, { msg_signature: "x", timestamp: "1", nonce: "1" }, envelope(big))).toEqual({ ok: false, reason: "too_large" });
    expect(encryptWecom(SAMPLE, "x".repeat(WECOM_XML_MAX_BYTES))).toEqual({ ok: false, reason: "too_large" });
  });

  it("round-trips any text through encrypt and decrypt, and signs replies the reader accepts", async () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (text) => {
        const enc = encryptWecom(SAMPLE, text);
        expect(enc.ok && decryptWecom(SAMPLE, enc.value)).toEqual({ ok: true, value: text });
      }),
      { numRuns: 100 },
    );
    const reply = await encryptWecomReply(SAMPLE, "<xml><Content>ok</Content></xml>", "1700000000", "abc123");
    const fields = readWecomXml(reply.ok ? reply.value : "");
    expect(fields.ok).toBe(true);
    if (!fields.ok) return;
    expect(fields.fields.MsgSignature).toBe(await wecomSignature(SAMPLE.token, "1700000000", "abc123", fields.fields.Encrypt!));
    expect(decryptWecom(SAMPLE, fields.fields.Encrypt!)).toEqual({ ok: true, value: "<xml><Content>ok</Content></xml>" });
  });
});

describe("WeCom XML reader", () => {
  it("reads CDATA, the five entities, nested leaves and an XML declaration", () => {
    const r = readWecomXml(`<?xml version="1.0"?>\n<xml><Content>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</Content><C><![CDATA[x<y>&z]]></C><SelectedItems><SelectedItem><QuestionKey>q</QuestionKey></SelectedItem></SelectedItems><E/></xml>`);
    expect(r).toEqual({ ok: true, fields: { Content: `a <b> & "c" 'd'`, C: "x<y>&z", "SelectedItems.SelectedItem.QuestionKey": "q", E: "" } });
  });

  it("keeps repeated nested leaves (a multiple-choice card's OptionIds) and refuses a repeated top-level field", () => {
    const r = readWecomXml(`\uFEFF<xml><SelectedItems><SelectedItem><QuestionKey>q1</QuestionKey><OptionIds><OptionId>a</OptionId><OptionId>b</OptionId></OptionIds></SelectedItem></SelectedItems></xml>`);
    expect(r).toEqual({ ok: true, fields: { "SelectedItems.SelectedItem.QuestionKey": "q1", "SelectedItems.SelectedItem.OptionIds.OptionId": "a", "SelectedItems.SelectedItem.OptionIds.OptionId[2]": "b" } });
    expect(readWecomXml(`<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>`)).toEqual({ ok: false, reason: "duplicate_field" });
  });

  it("refuses DTDs, unknown or numeric entities, comments, attributes, duplicates, imbalance and floods as typed results", () => {
    const cases: Array<[string, string]> = [
      [`<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>`, "forbidden_markup"],
      [`<xml><A>&a;</A></xml>`, "bad_entity"],
      [`<xml><A>&#60;</A></xml>`, "bad_entity"],
      [`<xml><!-- c --><A>1</A></xml>`, "forbidden_markup"],
      [`<xml><A x="1">1</A></xml>`, "bad_tag"],
      [`<xml><A>1</A><A>2</A></xml>`, "duplicate_field"],
      [`<xml><S>${"<A>1</A>".repeat(300)}</S></xml>`, "too_many_fields"],
      [`<xml><A>1</B></xml>`, "unbalanced"],
      [`<xml><A>1</A>`, "unbalanced"],
      [`<xml><A><![CDATA[open</A></xml>`, "unbalanced"],
      [`<notxml><A>1</A></notxml>`, "not_xml"],
      [`<xml><A>1</A></xml><xml></xml>`, "not_xml"],
      [`{"json": true}`, "not_xml"],
      [`<xml>${"<a>".repeat(20)}</xml>`, "too_deep"],
      [`<xml>${Array.from({ length: 200 }, (_, i) => `<F${i}>1</F${i}>`).join("")}</xml>`, "too_many_fields"],
      [`<xml><A>${"x".repeat(WECOM_XML_MAX_BYTES)}</A></xml>`, "too_large"],
    ];
    for (const [xml, reason] of cases) expect(readWecomXml(xml), xml.slice(0, 60)).toEqual({ ok: false, reason });
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.stringMatching(/^[<>\/!\[\]CDATxml&;a-z ]{0,200}$/)), (s) => {
        const r = readWecomXml(s);
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 300 },
    );
  });
});
