// TypeScript types of each service's API, from the OpenAPI documents clients/export_openapi.py wrote.
import fs from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";

const [source = "../../.run/clients/openapi"] = process.argv.slice(2);
const target = "generated";
fs.mkdirSync(target, { recursive: true });
for (const file of fs.readdirSync(source).filter((name) => name.endsWith(".json"))) {
  const document = JSON.parse(fs.readFileSync(path.join(source, file), "utf8"));
  const ast = await openapiTS(document, { enumValues: false, alphabetize: true });
  fs.writeFileSync(path.join(target, file.replace(/\.json$/, ".ts")), astToString(ast));
}
