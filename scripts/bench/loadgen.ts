// Load generator run as its own process (so it does not share an event loop or a core's time slice
// with the server it measures): CONNECTIONS keep-alive connections (node:http Agent) each POST a tip in
// a loop for the given time, then one JSON line {ok, failed, rps, ms} on stdout.
// Run: node --import tsx scripts/bench/loadgen.ts --port 8787 --path /api/v1/reports --ms 5000 [--connections 20] [--seed 0]
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const PORT = Number(arg("port", "8787"));
const PATH = arg("path", "/api/v1/reports");
const MS = Number(arg("ms", "5000"));
const CONNECTIONS = Number(arg("connections", "20"));
// Distinct seeds per run keep new-institution names and tipster addresses from repeating across rounds.
let tipNo = Number(arg("seed", "0"));

/** Half the tips are about a new institution (new lead), half about one of 200 known ones (corroboration). */
function tipBody(n: number): string {
  const targetName = n % 2 === 0 ? `成都压测医院${randomUUID().slice(0, 8)}` : `成都常见医院${n % 200}`;
  return JSON.stringify({
    subject: "medical_institution",
    violationType: "ghost_admission",
    region: { provinceCode: "510000", cityCode: "510100", districtCode: "510104" },
    targetName,
    targetAddress: "某某路 1 号",
    occurredFrom: "2026-03-01",
    occurredTo: "2026-04-30",
    amountEstimate: 12345.67,
    description: "住院部长期有挂床病人，白天不在医院，仍每天记账理疗项目。",
    anonymous: true,
    insider: false,
    wantsReward: false,
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function one(): Promise<number> {
  const n = tipNo++;
  const body = tipBody(n);
  // One simulated tipster per forwarded address (the server trusts one proxy hop), so the per-address
  // hourly limit does not turn the load into 429s.
  const address = `10.${(n >> 16) % 250}.${(n >> 8) % 250}.${n % 250}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: PORT, path: PATH, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-forwarded-for": address } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(Object.assign(new Error("timeout"), { code: "timeout" })));
    req.end(body);
  });
}

const failed: Record<string, number> = {};
let ok = 0;
const started = performance.now();
const until = started + MS;
await Promise.all(
  Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < until) {
      try {
        const status = await one();
        if (status >= 200 && status < 300) ok++;
        else failed[status] = (failed[status] ?? 0) + 1;
      } catch (err) {
        const code = (err as { code?: string }).code ?? "error";
        failed[code] = (failed[code] ?? 0) + 1;
      }
    }
  }),
);
const ms = performance.now() - started;
agent.destroy();
console.log(JSON.stringify({ ok, failed, ms: Math.round(ms), rps: ok / (ms / 1000) }));
