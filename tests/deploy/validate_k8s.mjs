// Validates Kubernetes objects (a multi-document YAML stream on stdin, as `kubectl kustomize`
// prints it) against the Kubernetes OpenAPI schemas shipped in the npm packages
// kubernetes-models and @kubernetes-models/prometheus-operator. Prints one line per object;
// exits 1 if any object is invalid or of a kind without a schema here.
//   kubectl kustomize deploy/k8s/overlays/cpu | node validate_k8s.mjs
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") {
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  }
  return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

let failed = 0;
const documents = parseAllDocuments(readFileSync(0, "utf8"));
for (const document of documents) {
  if (document.errors.length > 0) {
    console.log(`YAML error: ${document.errors[0].message}`);
    failed++;
    continue;
  }
  const object = document.toJS();
  if (object === null) continue;
  const name = `${object.apiVersion} ${object.kind} ${object.metadata?.name}`;
  let Model;
  try {
    const module = await import(modulePath(object.apiVersion, object.kind));
    Model = module[object.kind];
  } catch {
    console.log(`${name}: no schema for this apiVersion and kind`);
    failed++;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`${name}: valid`);
  } catch (error) {
    console.log(`${name}: INVALID: ${error.message}`);
    failed++;
  }
}
if (documents.length === 0) {
  console.log("no objects on stdin");
  failed++;
}
process.exit(failed > 0 ? 1 : 0);
