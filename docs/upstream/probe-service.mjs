// A one-method service built from a descriptor at runtime, so the reproductions need no codegen:
// artenic.repro.v1.Probe/Echo(google.protobuf.StringValue) returns (google.protobuf.StringValue).
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, file_google_protobuf_wrappers } from "@bufbuild/protobuf/wkt";

const file = create(FileDescriptorProtoSchema, {
  name: "repro/probe.proto",
  package: "artenic.repro.v1",
  syntax: "proto3",
  dependency: ["google/protobuf/wrappers.proto"],
  service: [{ name: "Probe", method: [{ name: "Echo", inputType: ".google.protobuf.StringValue", outputType: ".google.protobuf.StringValue" }] }],
});
const registry = createFileRegistry(file, (name) => (name === "google/protobuf/wrappers.proto" ? file_google_protobuf_wrappers : undefined));
export const Probe = registry.getService("artenic.repro.v1.Probe");
export const routes = (router) => router.service(Probe, { echo: (req) => req });
