import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { ErrorInfoSchema, BadRequestSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ModelSchema } from "@artenic/gen/artenic/registry/v1/model_pb";
import { apiKeyInterceptor, ArtenicError, createArtenicClient, paginate, withArtenicErrors } from "./index.js";

describe("the SDK against mocked routes", () => {
  const seenKeys: string[] = [];
  const transport = createRouterTransport(
    ({ service }) => {
      service(RegistryService, {
        listModels(req, ctx) {
          seenKeys.push(ctx.requestHeader.get("authorization") ?? "");
          const start = Number(req.pageToken || "0");
          const models = Array.from({ length: Math.min(2, 5 - start) }, (_, i) => create(ModelSchema, { name: `models/m${start + i}` }));
          return { models, nextPageToken: start + 2 < 5 ? String(start + 2) : "" };
        },
        getModel(req) {
          throw new ConnectError(`Model ${req.name} does not exist.`, Code.NotFound, undefined, [
            { desc: ErrorInfoSchema, value: { reason: "MODEL_NOT_FOUND", domain: "artenic.ai", metadata: { name: req.name } } },
            { desc: BadRequestSchema, value: { fieldViolations: [{ field: "name", description: "unknown" }] } },
          ]);
        },
      });
    },
    { transport: { interceptors: [apiKeyInterceptor("k-123")] } },
  );
  const artenic = createArtenicClient({ transport });

  it("sends the API key and follows page tokens to the last item", async () => {
    const names: string[] = [];
    for await (const m of paginate((r) => artenic.registry.listModels(r), { pageSize: 2 }, (r) => r.models)) names.push(m.name);
    expect(names).toEqual(["models/m0", "models/m1", "models/m2", "models/m3", "models/m4"]);
    expect(seenKeys).toEqual(["Bearer k-123", "Bearer k-123", "Bearer k-123"]);
  });

  it("turns failures into ArtenicError with reason, metadata and field violations", async () => {
    const error = await withArtenicErrors(() => artenic.registry.getModel({ name: "models/x" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtenicError);
    const e = error as ArtenicError;
    expect(e.code).toBe(Code.NotFound);
    expect(e.reason).toBe("MODEL_NOT_FOUND");
    expect(e.metadata).toEqual({ name: "models/x" });
    expect(e.fieldViolations).toEqual([{ field: "name", description: "unknown" }]);
    expect({ brandless: true }).not.toBeInstanceOf(ArtenicError);
  });
});
