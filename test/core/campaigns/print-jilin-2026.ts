// Prints the jilin-2020-for-2026 simulation as JSON: the TZ test runs it under TZ=UTC and TZ=Asia/Shanghai.
import { jilinReport } from "./jilin-2026-schedule";

process.stdout.write(JSON.stringify(jilinReport()));
