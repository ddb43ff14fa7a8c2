// Opens a workbook in LibreOffice (soffice --headless) and reads every sheet back as CSV records: proof that
// the file opens in a real spreadsheet program and what its cells hold there. No LibreOffice is a failure.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseRfc4180 } from "./csv-parse";

const run = promisify(execFile);

/**
 * The CSV export filter: comma, double quote, UTF-8 (76), from line 1, raw values (not "as shown", so a
 * number cell shows its number and not its formatting), no formulas, and sheet -1: every sheet to its own
 * <name>-<SheetName>.csv (LibreOffice 7.2 and later).
 */
const CSV_EVERY_SHEET = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";

/** Throws (failing the test) with what to install when soffice is not on this machine. */
export function requireSoffice(): string {
  try {
    return execFileSync("soffice", ["--version"], { encoding: "utf8", timeout: 60_000 }).trim();
  } catch {
    throw new Error("LibreOffice (soffice) is not installed: install libreoffice-calc-nogui (apt-get install libreoffice-calc-nogui); CI installs it. The workbook tests do not skip without it.");
  }
}

/** Each sheet's records by sheet name, as LibreOffice reads the workbook. */
export async function libreOfficeSheets(xlsx: Uint8Array): Promise<Map<string, string[][]>> {
  const dir = mkdtempSync(join(tmpdir(), "fundwatch-soffice-"));
  try {
    writeFileSync(join(dir, "book.xlsx"), xlsx);
    // Its own profile and HOME: parallel runs (and a desktop LibreOffice) never share a lock.
    await run("soffice", [`-env:UserInstallation=file://${dir}/profile`, "--headless", "--norestore", "--convert-to", CSV_EVERY_SHEET, "--outdir", join(dir, "out"), join(dir, "book.xlsx")], {
      env: { ...process.env, HOME: dir },
      timeout: 240_000,
    });
    const sheets = new Map<string, string[][]>();
    for (const file of readdirSync(join(dir, "out"))) {
      const m = /^book-(.+)\.csv$/.exec(file);
      // LibreOffice ends lines with LF: read as CRLF records.
      if (m) sheets.set(m[1]!, parseRfc4180(readFileSync(join(dir, "out", file), "utf8").replace(/\r?\n/g, "\r\n")));
    }
    return sheets;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
