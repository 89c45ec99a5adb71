// The syntax check behind the editor's lint and the deploy review: acorn parses the code as the
// platform will run it. Brand code is CommonJS (a script whose top level may `return` and use
// require/module), so it is parsed as "commonjs", with the newest syntax acorn knows.
import { parse } from "acorn";

export interface SyntaxProblem {
  message: string;
  /** Offset into the code, and its 1-based line and column (for the words). */
  from: number;
  line: number;
  column: number;
}

export function syntaxProblem(code: string): SyntaxProblem | null {
  try {
    parse(code, { ecmaVersion: "latest", sourceType: "commonjs" });
    return null;
  } catch (e) {
    const err = e as SyntaxError & { pos?: number; loc?: { line: number; column: number } };
    if (typeof err.pos !== "number") return { message: String(err.message), from: 0, line: 1, column: 1 };
    // acorn appends "(line:column)"; the place is given separately.
    return { message: err.message.replace(/\s*\(\d+:\d+\)$/, ""), from: err.pos, line: err.loc?.line ?? 1, column: (err.loc?.column ?? 0) + 1 };
  }
}
