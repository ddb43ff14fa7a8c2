// Stylesheet and the small progressive-enhancement script, served from memory so the Worker needs no
// static-asset binding. The pages work fully without the script.

export const APP_CSS = `
:root{--fg:#1d2329;--muted:#4f5963;--accent:#b4232a;--accent-dark:#8f1b21;--accent-fg:#fff;--line:#d7dce1;--control:#6b7580;--bg:#fff;--soft:#f5f7f9;--ok:#1e6b3a;--focus:#1a5fb4}
*{box-sizing:border-box}
html{font-size:100%}
html.large{font-size:125%}
body{margin:0;font:1rem/1.65 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",system-ui,sans-serif;color:var(--fg);background:var(--bg)}
a{color:#14509b}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:2}
header.top{display:flex;flex-wrap:wrap;gap:4px 16px;align-items:center;justify-content:space-between;padding:8px 16px;border-bottom:4px solid var(--accent);background:#fff}
.brand{display:flex;gap:10px;align-items:center;color:var(--fg);text-decoration:none;min-height:44px}
.emblem{flex:none;width:44px;height:44px}
.brand-text{display:flex;flex-direction:column;line-height:1.3}
.authority{font-weight:700;font-size:1.15rem;color:var(--accent-dark)}
.service{font-size:.9rem;color:var(--muted)}
.tools{display:flex;gap:4px 12px;flex-wrap:wrap}
nav{display:flex;gap:0 6px;flex-wrap:wrap;width:100%}
nav a,.tools a{display:inline-flex;align-items:center;min-height:44px;padding:0 8px;color:var(--fg)}
main{max-width:760px;margin:0 auto;padding:16px}
footer{max-width:760px;margin:24px auto;padding:16px;color:var(--muted);font-size:.875rem;border-top:1px solid var(--line)}
footer p{margin:6px 0}
.footer-links{display:flex;gap:4px 16px;flex-wrap:wrap}
.footer-links a,footer a{display:inline-block;min-height:24px}
.filing{font-size:.8125rem}
h1{font-size:1.6rem;line-height:1.3}
fieldset{border:1px solid var(--line);border-radius:8px;margin:0 0 16px;padding:12px 16px}
legend{font-weight:700;padding:0 6px}
.field{margin:12px 0}
label,.label{display:block;font-weight:600;margin:0}
.req{color:var(--accent)}
input:not([type]),input[type=text],input[type=tel],input[type=email],input[type=date],input[type=file],select,textarea{width:100%;font:inherit;min-height:44px;padding:8px;border:1px solid var(--control);border-radius:6px;background:#fff;color:var(--fg)}
textarea{resize:vertical}
.row{display:grid;grid-template-columns:1fr 1fr;gap:12px}
@media (max-width:520px){.row{grid-template-columns:1fr}}
.hint{color:var(--muted);font-size:.875rem;margin:2px 0 6px}
.warn{color:#7a4300}
.has-error input,.has-error select,.has-error textarea,[aria-invalid=true]{border-color:var(--accent);border-width:2px}
.error{color:var(--accent-dark);font-weight:600;margin:4px 0}
.alert{border:2px solid var(--accent);background:#fff4f4;padding:10px 14px;border-radius:8px;margin:12px 0}
.alert ul{margin:6px 0 0;padding-left:20px}.alert li{margin:4px 0}
.summary-title{font-weight:700;margin:0}
.notice{border:2px solid var(--ok);background:#f1fbf4;padding:10px 14px;border-radius:8px;margin:12px 0}
.next-step{border-left:6px solid var(--accent);background:var(--soft);padding:10px 14px;border-radius:0 8px 8px 0;margin:16px 0}
.next-step h2{margin:0 0 6px;font-size:1.15rem}
label.choice{display:flex;gap:12px;align-items:flex-start;font-weight:400;margin:6px 0;min-height:44px;padding:8px 0}
label.choice input{flex:none;width:24px;height:24px;margin:2px 0 0;accent-color:var(--accent)}
.button{display:inline-flex;align-items:center;justify-content:center;min-height:44px;min-width:44px;font:inherit;padding:8px 18px;border-radius:6px;border:2px solid var(--fg);background:#fff;color:var(--fg);text-decoration:none;cursor:pointer}
.button.primary{background:var(--accent);border-color:var(--accent);color:var(--accent-fg)}
.button.link{border:none;text-decoration:underline;padding:0 4px;background:none;color:#14509b}
.actions{display:flex;gap:12px;flex-wrap:wrap;align-items:center}
.receipt{border:3px dashed var(--accent);border-radius:10px;padding:12px 16px;margin:16px 0}
.code{font:700 clamp(1.2rem,5vw,2rem)/1.3 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.08em;word-break:break-all;margin:8px 0}
.code-input{font-family:ui-monospace,Menlo,Consolas,monospace;letter-spacing:.06em;text-transform:uppercase}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}.small{font-size:.8125rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px}dt{font-weight:600}dd{margin:0}
@media (max-width:520px){dl{grid-template-columns:1fr}dd{margin-bottom:6px}}
.timeline{padding-left:20px}
.messages{list-style:none;padding:0}
.message{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:8px 0}
.message.from-investigator{background:var(--soft)}
.message .meta{color:var(--muted);font-size:.8125rem;margin:0}.message .body{white-space:pre-wrap;margin:4px 0 0}
.official{border:1px solid var(--control);border-radius:8px;padding:16px;margin:16px 0}
.official-head{display:flex;gap:12px;align-items:center;border-bottom:2px solid var(--accent);padding-bottom:8px;margin-bottom:8px}
.official-head h2{margin:0;font-size:1.3rem}
.qr{display:flex;gap:16px;align-items:center;flex-wrap:wrap}
.qr svg{width:148px;height:148px;flex:none;background:#fff}
.verdict{border:3px solid;border-radius:10px;padding:12px 16px;margin:16px 0}
.verdict.genuine{border-color:var(--ok);background:#f1fbf4}
.verdict.forged{border-color:var(--accent);background:#fff4f4}
.verdict h2{margin:0 0 6px}
.files{padding-left:20px}
ol.steps li,ul.plain li{margin:6px 0}
.copy-status{color:var(--ok);font-weight:600}
[hidden]{display:none!important}
.js .no-js-only{display:none}
@media print{header.top .tools,header.top nav,footer .footer-links,.noprint,.skip{display:none!important}body{font-size:12pt}main{max-width:none;padding:0}.official{border:none}}
main.wide{max-width:none}
table.grid{border-collapse:collapse;margin:8px 0 16px;font-size:14px}table.grid th,table.grid td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}table.grid thead th{background:var(--soft)}
.scroll{overflow-x:auto}.st-late,.st-returned{color:var(--accent);font-weight:600}.st-accepted,.st-submitted{color:var(--ok)}
form.inline{display:inline}.task{border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:0 0 16px}
.chart-figure{margin:16px 0;overflow-x:auto;max-width:960px}.chart-figure svg{display:block;min-width:560px}.chart-figure svg[data-empty]{min-width:0;max-width:480px}.chart-caption{font-weight:700;margin:0 0 4px}
`;

export const APP_JS = `
(function () {
  document.documentElement.classList.add("js");
  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }

  // Violation types: narrowed to the chosen subject (all of them are in the page; it is a short list).
  var subject = document.getElementById("subject"), types = document.getElementById("violationType");
  if (subject && types) {
    var groups = Array.prototype.slice.call(types.querySelectorAll("optgroup"));
    var narrowTypes = function () {
      groups.forEach(function (g) { var show = !subject.value || g.getAttribute("data-subject") === subject.value; g.hidden = !show; g.disabled = !show; });
      var o = types.options[types.selectedIndex];
      if (o && o.parentNode && o.parentNode.disabled) types.value = "";
    };
    subject.addEventListener("change", narrowTypes);
    narrowTypes();
  }

  // Regions on demand: the page carries the provinces only; cities and districts come from the API.
  var province = document.getElementById("province"), city = document.getElementById("city"), district = document.getElementById("district");
  function fill(select, regions) {
    var first = select.options[0];
    select.innerHTML = "";
    select.appendChild(first);
    regions.forEach(function (r) { var o = document.createElement("option"); o.value = r.code; o.textContent = r.name; select.appendChild(o); });
    select.value = "";
  }
  function load(parent, select, then) {
    select.setAttribute("aria-busy", "true");
    fetch("/api/v1/regions?parent=" + encodeURIComponent(parent), { headers: { accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { regions: [] }; })
      .then(function (body) { fill(select, body.regions || []); select.removeAttribute("aria-busy"); if (then) then(); })
      .catch(function () { select.removeAttribute("aria-busy"); });
  }
  if (province && city && district) {
    province.addEventListener("change", function () {
      fill(district, []);
      if (province.value) load(province.value, city); else fill(city, []);
    });
    city.addEventListener("change", function () {
      if (city.value) load(city.value, district); else fill(district, []);
    });
  }

  var identity = document.getElementById("identity-fields");
  var anon = document.getElementById("anonymous-yes");
  var real = document.getElementById("anonymous-no");
  if (identity && anon && real) {
    var toggle = function () { identity.hidden = !real.checked; };
    anon.addEventListener("change", toggle);
    real.addEventListener("change", toggle);
    toggle();
  }
  each("[data-action=print]", function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  // Copy the receipt code; the button exists only where the script runs.
  each("[data-copy]", function (b) {
    var target = document.getElementById(b.getAttribute("data-copy"));
    var status = document.getElementById(b.getAttribute("data-copy") + "-copied");
    if (!target || !navigator.clipboard) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () { if (status) status.hidden = false; });
    });
  });

  // The receipt page: warn before leaving until the person says the code is saved. Switching the
  // language or text size, printing and downloading stay on the receipt and do not count as leaving.
  var receiptPage = document.querySelector("[data-receipt-page]");
  if (receiptPage) {
    var saved = document.getElementById("saved");
    var staying = false;
    each("[data-keep-page]", function (a) { a.addEventListener("click", function () { staying = true; setTimeout(function () { staying = false; }, 1500); }); });
    window.addEventListener("beforeunload", function (e) {
      if (staying || (saved && saved.checked)) return;
      e.preventDefault();
      e.returnValue = "";
    });
  }

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
`;
