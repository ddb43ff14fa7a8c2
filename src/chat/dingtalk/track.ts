// The ids FundWatch gives DingTalk cards (outTrackId) and their buttons, signed so a card callback can be
// checked against what we sent: DingTalk's callback signature covers only a timestamp, so within its hour a
// captured request could carry any body. An outTrackId names the chat the card went to (a batch is
// acknowledged for the team whose chat it is) and carries an HMAC over it; each button carries an HMAC over
// the card, its action and its id. Nothing here throws on bad input.
import { fromBase64, toBase64Url, utf8, constantTimeEqual, randomBytes } from "../../security/encoding";

const PREFIX = "fw1";
/** Longest outTrackId we accept back (ours are ~100 characters). */
const MAX_TRACK_ID = 256;

async function mac(secret: string, message: string, bytes: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(message))).subarray(0, bytes));
}

/** A fresh outTrackId for a card sent to `chatId`: `fw1.<chat>.<nonce>.<mac>`. */
export async function mintTrackId(secret: string, chatId: string): Promise<string> {
  const chat = toBase64Url(utf8.encode(chatId));
  const nonce = toBase64Url(randomBytes(8));
  return `${PREFIX}.${chat}.${nonce}.${await mac(secret, `track\n${chat}\n${nonce}`, 16)}`;
}

/** The chat an outTrackId of ours was sent to, or null when we did not make it. */
export async function verifyTrackId(secret: string, trackId: string): Promise<string | null> {
  if (trackId.length > MAX_TRACK_ID) return null;
  const parts = trackId.split(".");
  if (parts.length !== 4 || parts[0] !== PREFIX) return null;
  const [, chat = "", nonce = "", given = ""] = parts;
  if (!/^[A-Za-z0-9_-]+$/.test(chat) || !/^[A-Za-z0-9_-]+$/.test(nonce)) return null;
  if (!constantTimeEqual(await mac(secret, `track\n${chat}\n${nonce}`, 16), given)) return null;
  try {
    return utf8.decode(fromBase64(chat));
  } catch {
    return null;
  }
}

export const isTrackId = (messageId: string) => messageId.startsWith(`${PREFIX}.`);

/** The signature a button of card `trackId` carries for its action and id. */
export function buttonSig(secret: string, trackId: string, action: string, id: string): Promise<string> {
  return mac(secret, `button\n${trackId}\n${action}\n${id}`, 12);
}

export async function verifyButtonSig(secret: string, trackId: string, action: string, id: string, given: string): Promise<boolean> {
  return constantTimeEqual(await buttonSig(secret, trackId, action, id), given);
}
