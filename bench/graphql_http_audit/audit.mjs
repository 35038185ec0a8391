// The graphql-http audit of the GraphQL-over-HTTP spec against one server:
//
//     node audit.mjs http://127.0.0.1:8000/graphql [--json]
//
// Prints one line per audit (status, id, name, and for a failure the reason and the
// response's status and Content-Type), then the counts. With --json it prints instead
// one JSON object: {"counts": {...}, "results": [...]}, for bench/graphql_http_audit.py and
// the test that runs it. Exits 1 if an audit is an error (a failed MUST), 2 on bad usage.
import { auditServer } from "graphql-http";

const args = process.argv.slice(2);
const url = args.find((arg) => !arg.startsWith("--"));
const asJson = args.includes("--json");
if (!url) {
  console.error("usage: node audit.mjs <url of /graphql> [--json]");
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const rows = [];
for (const result of results) {
  counts[result.status] += 1;
  const row = { id: result.id, name: result.name, status: result.status };
  if (result.status !== "ok") {
    row.reason = result.reason;
    row.responseStatus = result.response.status;
    row.contentType = result.response.headers.get("content-type");
    row.body = await result.response.text().catch(() => null);
  }
  rows.push(row);
}

if (asJson) {
  console.log(JSON.stringify({ counts, results: rows }));
} else {
  for (const row of rows) {
    const failure = row.status === "ok" ? "" : ` — ${row.reason} (${row.responseStatus}, ${row.contentType})`;
    console.log(`${row.status.padEnd(6)} ${row.id} ${row.name}${failure}`);
  }
  console.log(`${results.length} audits: ${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ${counts.error} error`);
}
process.exit(counts.error ? 1 : 0);
