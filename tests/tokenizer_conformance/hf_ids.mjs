// Tokenizes every string of a JSONL file ({"text": ...} per line) with Hugging Face's
// JavaScript tokenizer, loaded from a local tokenizer.json (no hub access), and writes one JSON
// array of ids per line (no [CLS]/[SEP]).
//   node hf_ids.mjs tokenizer.json tokenizer_config.json strings.jsonl out.jsonl
import fs from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";

const [tokenizerJson, tokenizerConfig, stringsPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error("usage: node hf_ids.mjs tokenizer.json tokenizer_config.json strings.jsonl out.jsonl");
  process.exit(2);
}
const tokenizer = new Tokenizer(JSON.parse(fs.readFileSync(tokenizerJson, "utf8")),
                                JSON.parse(fs.readFileSync(tokenizerConfig, "utf8")));
const lines = fs.readFileSync(stringsPath, "utf8").split("\n").filter((l) => l.length > 0);
const out = lines.map((l) => JSON.stringify(tokenizer.encode(JSON.parse(l).text, { add_special_tokens: false }).ids));
fs.writeFileSync(outPath, out.join("\n") + "\n");
console.log(`tokenized ${lines.length} strings with @huggingface/tokenizers`);
