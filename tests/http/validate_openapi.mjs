// Validates an OpenAPI document against the OpenAPI specification's schema and resolves its
// $refs (npm @apidevtools/swagger-parser). Prints "valid" or the error; exits 1 when invalid.
//   node validate_openapi.mjs ../../docs/openapi.yaml
import SwaggerParser from "@apidevtools/swagger-parser";

try {
  const api = await SwaggerParser.validate(process.argv[2]);
  console.log(`valid: ${api.info.title} ${api.info.version}, ${Object.keys(api.paths).length} paths`);
} catch (error) {
  console.log(`invalid: ${error.message}`);
  process.exit(1);
}
