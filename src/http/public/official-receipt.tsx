// The 受理回执 block: masthead, rows, notes and the QR code of the verification address. On screen it
// is part of the receipt page; printed, it is the page (navigation and buttons are hidden).
import { qrMatrix, qrSvgPath } from "../../core/qr";
import type { Locale } from "../../core/report-input";
import { Emblem } from "../shared/page-shell";
import type { ReceiptDocument } from "./receipt-document";
import type { SiteFrame } from "../shared/site";

export function QrCode(props: { text: string; label: string }) {
  const { viewBox, d } = qrSvgPath(qrMatrix(props.text));
  return (
    <svg viewBox={viewBox} role="img" aria-label={props.label} shape-rendering="crispEdges" data-testid="qr-code">
      <rect width="100%" height="100%" fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

export function OfficialReceipt(props: { doc: ReceiptDocument; locale: Locale; site?: SiteFrame }) {
  const { doc } = props;
  return (
    <section class="official" aria-labelledby="official-title" data-testid="official-receipt">
      <div class="official-head">
        {props.site ? <Emblem site={props.site} /> : null}
        <div>
          <p class="authority">{doc.authority}</p>
          <h2 id="official-title">{doc.title}</h2>
        </div>
      </div>
      <dl>
        {doc.rows.map((r, i) => (
          <>
            <dt>{r.label}</dt>
            <dd class={r.mono ? "mono small" : undefined} data-testid={i === 0 ? "report-id" : undefined}>
              {r.value}
            </dd>
          </>
        ))}
      </dl>
      <ul class="plain">
        {doc.notes.map((n) => (
          <li>{n}</li>
        ))}
      </ul>
      <div class="qr">
        <QrCode text={doc.verifyUrl} label={doc.verifyCaption} />
        <div>
          <p>{doc.verifyCaption}</p>
          <p class="mono small">
            <a href={doc.verifyUrl} data-testid="verify-link">
              {doc.verifyUrl}
            </a>
          </p>
        </div>
      </div>
      <p class="hint">{doc.footer}</p>
    </section>
  );
}
