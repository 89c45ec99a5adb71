// Reading a secret: from the terminal without echo, or the first line of stdin when it is a pipe
// (`echo "$PW" | efn login ...`), so it never has to appear in the command line or the shell history.
import { CliError, EXIT } from "./exit-codes.js";

/** @param {string} question @returns {Promise<string>} */
export async function readSecret(question) {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = "";
    for await (const chunk of stdin) text += chunk;
    return text.split(/\r?\n/)[0] ?? "";
  }
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    /** @param {string} chunk */
    const onData = (chunk) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done(() => resolve(value));
        if (ch === "\u0003") return done(() => reject(new CliError(EXIT.USAGE, "cancelled")));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    /** @param {() => void} settle */
    const done = (settle) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      settle();
    };
    stdin.on("data", onData);
  });
}
