// Writes third_party/buf/validate/validate.proto: a wire-compatible restatement of protovalidate's
// schema (messages, enums, field numbers, extensions), read from the descriptor that the pinned
// @bufbuild/protovalidate runtime embeds. The Buf registry cannot be reached from these machines,
// so the schema is restated from the runtime the server validates with; the CEL rule options are
// left out because the runtime carries its own copy of them.
import { writeFileSync, mkdirSync } from "node:fs";
import { ScalarType, type DescField, type DescMessage, type DescEnum } from "@bufbuild/protobuf";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";

const file = file_buf_validate_validate;
const scalarNames: Record<number, string> = {
  [ScalarType.DOUBLE]: "double", [ScalarType.FLOAT]: "float", [ScalarType.INT64]: "int64",
  [ScalarType.UINT64]: "uint64", [ScalarType.INT32]: "int32", [ScalarType.FIXED64]: "fixed64",
  [ScalarType.FIXED32]: "fixed32", [ScalarType.BOOL]: "bool", [ScalarType.STRING]: "string",
  [ScalarType.BYTES]: "bytes", [ScalarType.UINT32]: "uint32", [ScalarType.SFIXED32]: "sfixed32",
  [ScalarType.SFIXED64]: "sfixed64", [ScalarType.SINT32]: "sint32", [ScalarType.SINT64]: "sint64",
};

function typeName(f: DescField): string {
  switch (f.fieldKind) {
    case "scalar": return scalarNames[f.scalar]!;
    case "enum": return "." + f.enum.typeName;
    case "message": return "." + f.message.typeName;
    case "list":
      if (f.listKind === "scalar") return scalarNames[f.scalar]!;
      return "." + (f.listKind === "enum" ? f.enum.typeName : f.message.typeName);
    case "map": throw new Error("maps are not used in validate.proto");
  }
}

function label(f: DescField): string {
  if (f.fieldKind === "list") return "repeated ";
  if (f.oneof) return "";
  return "optional ";
}

function printEnum(e: DescEnum, indent: string): string {
  const values = e.values.map((v) => `${indent}  ${v.name} = ${v.number};`).join("\n");
  return `${indent}enum ${e.name} {\n${values}\n${indent}}\n`;
}

function printMessage(m: DescMessage, indent: string): string {
  const lines: string[] = [];
  const inner = indent + "  ";
  for (const e of m.nestedEnums) lines.push(printEnum(e, inner));
  for (const n of m.nestedMessages) lines.push(printMessage(n, inner));
  const seenOneofs = new Set<string>();
  for (const f of m.fields) {
    if (f.oneof) {
      if (seenOneofs.has(f.oneof.name)) continue;
      seenOneofs.add(f.oneof.name);
      const members = f.oneof.fields.map((o) => `${inner}  ${typeName(o)} ${o.name} = ${o.number};`).join("\n");
      lines.push(`${inner}oneof ${f.oneof.name} {\n${members}\n${inner}}`);
      continue;
    }
    lines.push(`${inner}${label(f)}${typeName(f)} ${f.name} = ${f.number};`);
  }
  for (const r of m.proto.extensionRange) lines.push(`${inner}extensions ${r.start} to ${r.end >= 536870912 ? "max" : r.end - 1};`);
  return `${indent}message ${m.name} {\n${lines.join("\n")}\n${indent}}\n`;
}

let out = `// Restated from the descriptor embedded in @bufbuild/protovalidate ${"1.3.0"} by
// scripts/restate-validate-proto.ts. Wire-compatible with buf.validate (same package, names and
// numbers); the CEL rule definitions are omitted. Do not edit by hand.
syntax = "proto2";

package buf.validate;

import "google/protobuf/descriptor.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/timestamp.proto";

`;
for (const ext of file.extensions) {
  out += `extend .${ext.extendee.typeName} {\n  optional ${typeName(ext as unknown as DescField)} ${ext.name} = ${ext.number};\n}\n\n`;
}
for (const m of file.messages) out += printMessage(m, "") + "\n";
for (const e of file.enums) out += printEnum(e, "") + "\n";
mkdirSync("third_party/buf/validate", { recursive: true });
writeFileSync("third_party/buf/validate/validate.proto", out.trimEnd() + "\n");
