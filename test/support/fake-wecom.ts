// A fake WeCom server API on loopback: gettoken (tokens it can expire at will), message/send (text, template
// cards with a one-time response_code), appchat/send and update_template_card (each code taken once). Like
// WeCom it drops messages silently past a per-member limit instead of refusing them, and records the drops.
import { FakeServer, type Fault, type FakeAnswer, type FakeRequest } from "./fake-chat-servers";

export interface WecomCard {
  taskId: string;
  touser: string;
  card: Record<string, any>;
  /** Every version of the card, the sent one first. */
  versions: Record<string, any>[];
}

export class FakeWecom extends FakeServer {
  readonly corpId = "wwfundwatchtest01";
  readonly secret = "wecom-app-secret-0123456789abcdef";
  private tokenNo = 0;
  private valid = new Set<string>();
  private codeNo = 0;
  private msgNo = 0;
  /** One-time response codes not spent yet. */
  readonly liveCodes = new Set<string>();
  /** Cards by task id, as currently shown. */
  readonly cards = new Map<string, WecomCard>();
  /** Per-member silent limit (WeCom: about 30 a minute; scaled in tests); null: none. */
  silentLimit: { max: number; windowMs: number } | null = null;
  /** Messages WeCom would have dropped without a word. */
  readonly dropped: { user: string; at: number }[] = [];
  private perMember = new Map<string, number[]>();

  /** Tokens issued so far (gettoken calls answered). */
  get tokensIssued() {
    return this.tokenNo;
  }

  /** Every token issued so far stops working (WeCom's 42001 on the next call). */
  expireTokens() {
    this.valid.clear();
  }

  protected methodOf(url: string) {
    return (url.split("?")[0] ?? "").replace(/^\/cgi-bin\//, "");
  }

  protected chatOf(method: string, body: Record<string, any>) {
    if (method === "message/send") return String(body.touser);
    if (method === "appchat/send") return String(body.chatid);
    if (method === "message/update_template_card") return (body.userids ?? []).join("|");
    return null;
  }

  protected isGroup() {
    return false;
  }

  protected faultResponse(fault: Fault): { status: number; headers: Record<string, string>; body: unknown } {
    // WeCom answers its frequency limits in the body (errcode 45009), with HTTP 200.
    return fault.status === 429 ? { status: 200, headers: {}, body: { errcode: 45009, errmsg: "api freq out of limit" } } : { status: 500, headers: {}, body: { errcode: -1, errmsg: "system busy" } };
  }

  protected override intercept(method: string, _body: Record<string, any>, request: FakeRequest): FakeAnswer | null {
    const query = new URLSearchParams(request.url.split("?")[1] ?? "");
    if (method === "gettoken") {
      if (query.get("corpid") !== this.corpId || query.get("corpsecret") !== this.secret) return { status: 200, headers: {}, body: { errcode: 40001, errmsg: "invalid credential" } };
      return null;
    }
    const token = query.get("access_token") ?? "";
    if (!this.valid.has(token)) return { status: 200, headers: {}, body: { errcode: token.startsWith("tok-") ? 42001 : 40014, errmsg: "access_token expired" } };
    return null;
  }

  /** Counts a message for each member; past the silent limit it is dropped (still answered "ok"). */
  private deliverTo(users: string[]) {
    const now = Date.now();
    for (const user of users) {
      const times = (this.perMember.get(user) ?? []).filter((t) => !this.silentLimit || t > now - this.silentLimit.windowMs);
      if (this.silentLimit && times.length >= this.silentLimit.max) this.dropped.push({ user, at: now });
      else times.push(now);
      this.perMember.set(user, times);
    }
  }

  protected route(method: string, body: Record<string, any>) {
    switch (method) {
      case "gettoken": {
        const token = `tok-${++this.tokenNo}`;
        this.valid.add(token);
        return { errcode: 0, errmsg: "ok", access_token: token, expires_in: 7200 };
      }
      case "message/send": {
        this.deliverTo(String(body.touser).split("|"));
        const answer: Record<string, unknown> = { errcode: 0, errmsg: "ok", msgid: `msg${++this.msgNo}` };
        if (body.msgtype === "template_card") {
          const card = body.template_card as Record<string, any>;
          const code = `rc-send-${++this.codeNo}`;
          this.liveCodes.add(code);
          this.cards.set(String(card.task_id), { taskId: String(card.task_id), touser: String(body.touser), card, versions: [card] });
          answer.response_code = code;
        }
        return answer;
      }
      case "appchat/send":
        return { errcode: 0, errmsg: "ok" };
      case "message/update_template_card": {
        const code = String(body.response_code);
        if (!this.liveCodes.delete(code)) return { errcode: 40029, errmsg: "invalid response_code" };
        const card = body.template_card as Record<string, any>;
        const shown = this.cards.get(String(card?.task_id));
        if (shown) {
          shown.card = card;
          shown.versions.push(card);
        }
        return { errcode: 0, errmsg: "ok" };
      }
      default:
        return { errcode: 0, errmsg: "ok" };
    }
  }

  /** A code WeCom puts in a press callback (spendable once). */
  pressCode(): string {
    const code = `rc-press-${++this.codeNo}`;
    this.liveCodes.add(code);
    return code;
  }

  /** Calls of `method` whose touser (or chatid) is `chat`. */
  sentTo(chat: string, method = "message/send") {
    return this.callsTo(method).filter((c) => (method === "appchat/send" ? c.body.chatid : c.body.touser) === chat);
  }

  /** Texts sent to one member (`message/send` text to exactly them), in order. */
  textsTo(user: string): string[] {
    return this.sentTo(user).filter((c) => c.body.msgtype === "text").map((c) => String(c.body.text.content));
  }

  /** Template cards sent to a touser, in order. */
  cardsTo(touser: string): WecomCard[] {
    return this.sentTo(touser)
      .filter((c) => c.body.msgtype === "template_card")
      .map((c) => this.cards.get(String(c.body.template_card.task_id))!);
  }
}

/** The keys of a template card's buttons and menu actions. */
export function cardKeys(card: Record<string, any>): string[] {
  return [...(card.button_list ?? []).map((b: any) => b.key), ...(card.action_menu?.action_list ?? []).map((a: any) => a.key)].filter(Boolean);
}
