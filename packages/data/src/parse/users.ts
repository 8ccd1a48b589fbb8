import { basename } from "node:path";
import { DataFormatError } from "@mle/core";
import { datRecords, lines, readText } from "./text.ts";

/** Demographics per raw userId: age, gender, occupation (ML-100k `u.user`, ML-1M `users.dat`). */
export interface RawUsers {
  userId: Int32Array;
  age: Int16Array;
  /** 1 female, 2 male. */
  gender: Uint8Array;
  occupationNames: string[];
  occupation: Int16Array;
}

/** ML-1M's occupation codes (its README). */
const ML1M_OCCUPATIONS = ["other", "academic/educator", "artist", "clerical/admin", "college/grad student", "customer service",
  "doctor/health care", "executive/managerial", "farmer", "homemaker", "K-12 student", "lawyer", "programmer", "retired",
  "sales/marketing", "scientist", "self-employed", "technician/engineer", "tradesman/craftsman", "unemployed", "writer"];

function genderCode(g: string, file: string, line: number): number {
  if (g === "F") return 1;
  if (g === "M") return 2;
  throw new DataFormatError(file, line, `gender must be F or M, found "${g}"`);
}

/** `u.user`: user id | age | gender | occupation | zip code. */
export function readUUser(path: string): RawUsers {
  const file = basename(path);
  const rows: { id: number; age: number; gender: number; occupation: string }[] = [];
  for (const [l, n] of lines(readText(path))) {
    const f = l.split("|");
    if (f.length !== 5) throw new DataFormatError(file, n, `expected 5 fields separated by "|", found ${f.length}`);
    const id = Number(f[0]);
    const age = Number(f[1]);
    if (!Number.isInteger(id) || !Number.isInteger(age)) throw new DataFormatError(file, n, "user id and age must be integers");
    rows.push({ id, age, gender: genderCode(f[2], file, n), occupation: f[3] });
  }
  const occupationNames = [...new Set(rows.map((r) => r.occupation))].sort();
  const code = new Map(occupationNames.map((o, i) => [o, i]));
  return {
    userId: Int32Array.from(rows, (r) => r.id), age: Int16Array.from(rows, (r) => r.age), gender: Uint8Array.from(rows, (r) => r.gender),
    occupationNames, occupation: Int16Array.from(rows, (r) => code.get(r.occupation)!),
  };
}

/** `users.dat` (ML-1M): UserID::Gender::Age::Occupation::Zip-code, age as its band's lower bound, occupation as a code. */
export function readUsersDat(path: string): RawUsers {
  const file = basename(path);
  const rows: { id: number; age: number; gender: number; occupation: number }[] = [];
  for (const [f, n] of datRecords(path, 5)) {
    const [id, age, occupation] = [Number(f[0]), Number(f[2]), Number(f[3])];
    if (![id, age, occupation].every(Number.isInteger) || occupation < 0 || occupation >= ML1M_OCCUPATIONS.length) {
      throw new DataFormatError(file, n, "UserID, Age and Occupation must be integers (occupation 0–20)");
    }
    rows.push({ id, age, gender: genderCode(f[1], file, n), occupation });
  }
  return {
    userId: Int32Array.from(rows, (r) => r.id), age: Int16Array.from(rows, (r) => r.age), gender: Uint8Array.from(rows, (r) => r.gender),
    occupationNames: ML1M_OCCUPATIONS, occupation: Int16Array.from(rows, (r) => r.occupation),
  };
}
