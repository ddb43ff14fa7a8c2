// Stylesheet and the small progressive-enhancement script, served from memory so the Worker needs no
// static-asset binding. The pages work fully without the script.

export const APP_CSS = `
:root{--fg:#1d2329;--muted:#5b6570;--accent:#b4232a;--accent-fg:#fff;--line:#d7dce1;--bg:#fff;--soft:#f5f7f9;--ok:#1e6b3a}
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif;color:var(--fg);background:var(--bg)}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
header.top{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between;padding:12px 16px;border-bottom:3px solid var(--accent)}
.brand{font-weight:700;color:var(--accent);text-decoration:none}
nav{display:flex;gap:14px;flex-wrap:wrap}nav a{color:var(--fg)}
main{max-width:760px;margin:0 auto;padding:16px}
footer{max-width:760px;margin:24px auto;padding:16px;color:var(--muted);font-size:14px;border-top:1px solid var(--line)}
h1{font-size:1.6rem;line-height:1.3}
fieldset{border:1px solid var(--line);border-radius:8px;margin:0 0 16px;padding:12px 16px}
legend{font-weight:700;padding:0 6px}
.field{margin:10px 0}
label,.label{display:block;font-weight:600;margin:0}
.req{color:var(--accent)}
input[type=text],input[type=tel],input[type=email],input[type=date],select,textarea{width:100%;font:inherit;padding:8px;border:1px solid #9aa4ae;border-radius:6px;background:#fff}
textarea{resize:vertical}
.row{display:grid;grid-template-columns:1fr 1fr;gap:12px}
@media (max-width:520px){.row{grid-template-columns:1fr}}
.hint{color:var(--muted);font-size:14px;margin:2px 0 6px}
.warn{color:#8a4b00}
.has-error input,.has-error select,.has-error textarea{border-color:var(--accent);border-width:2px}
.error{color:var(--accent);font-weight:600;margin:4px 0}
.alert{border:2px solid var(--accent);background:#fff4f4;padding:10px 14px;border-radius:8px;margin:12px 0}
.notice{border:2px solid var(--ok);background:#f1fbf4;padding:10px 14px;border-radius:8px;margin:12px 0}
label.choice{display:flex;gap:10px;align-items:flex-start;font-weight:400;margin:8px 0}
label.choice input{margin-top:6px}
.button{display:inline-block;font:inherit;padding:10px 18px;border-radius:6px;border:1px solid var(--fg);background:#fff;color:var(--fg);text-decoration:none;cursor:pointer}
.button.primary{background:var(--accent);border-color:var(--accent);color:var(--accent-fg)}
.button.link{border:none;text-decoration:underline;padding:0;background:none}
.actions{display:flex;gap:12px;flex-wrap:wrap}
.receipt{border:3px dashed var(--accent);border-radius:10px;padding:12px 16px;margin:16px 0}
.code{font:700 clamp(1.2rem,5vw,2rem)/1.3 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.08em;word-break:break-all}
.code-input{font-family:ui-monospace,Menlo,Consolas,monospace;letter-spacing:.06em;text-transform:uppercase}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}.small{font-size:12px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px}dt{font-weight:600}dd{margin:0}
@media (max-width:520px){dl{grid-template-columns:1fr}}
.timeline{padding-left:20px}
.messages{list-style:none;padding:0}
.message{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:8px 0}
.message.from-investigator{background:var(--soft)}
.message .meta{color:var(--muted);font-size:13px;margin:0}.message .body{white-space:pre-wrap;margin:4px 0 0}
[hidden]{display:none!important}
main.wide{max-width:none}
table.grid{border-collapse:collapse;margin:8px 0 16px;font-size:14px}table.grid th,table.grid td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}table.grid thead th{background:var(--soft)}
.scroll{overflow-x:auto}.st-late,.st-returned{color:var(--accent);font-weight:600}.st-accepted,.st-submitted{color:var(--ok)}
form.inline{display:inline}.task{border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:0 0 16px}
@media print{header nav,footer,.noprint{display:none}}
`;

export const APP_JS = `
(function () {
  document.documentElement.classList.add("js");
  function narrow(parentSelect, childSelect) {
    if (!parentSelect || !childSelect) return;
    var all = Array.prototype.slice.call(childSelect.querySelectorAll("optgroup"));
    function apply() {
      var parent = parentSelect.value;
      all.forEach(function (group) {
        var show = !parent || group.getAttribute("data-parent") === parent || group.getAttribute("data-subject") === parent;
        group.hidden = !show;
        group.disabled = !show;
      });
      var selected = childSelect.options[childSelect.selectedIndex];
      if (selected && selected.parentNode && selected.parentNode.disabled) childSelect.value = "";
      childSelect.dispatchEvent(new Event("narrowed"));
    }
    parentSelect.addEventListener("change", apply);
    apply();
  }
  var province = document.getElementById("province");
  var city = document.getElementById("city");
  var district = document.getElementById("district");
  narrow(document.getElementById("subject"), document.getElementById("violationType"));
  narrow(province, city);
  if (city && district) {
    // Districts follow the city, or the whole province while no city is chosen.
    var groups = Array.prototype.slice.call(district.querySelectorAll("optgroup"));
    function applyDistricts() {
      var c = city.value, p = province ? province.value : "";
      groups.forEach(function (g) {
        var code = g.getAttribute("data-parent") || "";
        var show = c ? code === c : !p || code.slice(0, 2) === p.slice(0, 2);
        g.hidden = !show;
        g.disabled = !show;
      });
      var selected = district.options[district.selectedIndex];
      if (selected && selected.parentNode && selected.parentNode.disabled) district.value = "";
    }
    city.addEventListener("change", applyDistricts);
    city.addEventListener("narrowed", applyDistricts);
    if (province) province.addEventListener("change", applyDistricts);
    applyDistricts();
  }
  var identity = document.getElementById("identity-fields");
  var anon = document.getElementById("anonymous-yes");
  var real = document.getElementById("anonymous-no");
  if (identity && anon && real) {
    function toggle() { identity.hidden = !real.checked; }
    anon.addEventListener("change", toggle);
    real.addEventListener("change", toggle);
    toggle();
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-action=print]"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  var firstError = document.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (firstError) firstError.focus();
})();
`;
