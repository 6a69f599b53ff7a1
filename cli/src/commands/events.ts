import type { Command } from "commander";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { EventSchema, EventTopic, type Event } from "@artenic/gen/artenic/events/v1/event_pb";
import { enumName, parseEnum, time, UsageError } from "../format.js";
import { action, positiveInt, repeatable } from "../program.js";
import { parseDurationMs } from "./operations.js";

export function registerEventsCommands(program: Command): void {
  const events = program.command("events").description("the platform's durable event log");

  events
    .command("tail")
    .description("print events as they are committed (after a replay with --after or --from-beginning), until interrupted or --limit")
    .option("--topic <topic>", "registry, inference, abtest, ensemble, health, training, budget, keys or settings (repeatable)", repeatable, [])
    .option("--resource <name>", "a resource name, or a prefix ending in /* (repeatable)", repeatable, [])
    .option("--type <type>", "an event type, or a prefix ending in .* (repeatable)", repeatable, [])
    .option("--after <cursor>", "replay the events after this cursor first")
    .option("--from-beginning", "replay every retained event first")
    .option("--limit <n>", "exit after this many events", positiveInt("--limit"))
    .option("--heartbeat <duration>", "the longest silence before the server sends a heartbeat, e.g. 15s")
    .action(
      action(async (ctx, _args, o: { topic: string[]; resource: string[]; type: string[]; after?: string; fromBeginning?: boolean; limit?: number; heartbeat?: string }) => {
        if (o.after && o.fromBeginning) throw new UsageError("give --after or --from-beginning, not both");
        const topics = o.topic.map((t) => parseEnum(EventTopic, t, "topic"));
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        let count = 0;
        try {
          for await (const event of ctx.artenic.subscribeEvents(
            {
              topics,
              filter: { resources: o.resource, types: o.type },
              afterCursor: o.after ?? "",
              fromBeginning: o.fromBeginning === true,
              ...(o.heartbeat ? { heartbeatInterval: durationFromMs(parseDurationMs(o.heartbeat)) } : {}),
            },
            {
              signal: controller.signal,
              onResume: (r) => ctx.stderr.write(`artenic: the stream ended (${r.error.codeName}); resuming after ${r.cursor || "the live end"}\n`),
            },
          )) {
            if (ctx.json) ctx.printJsonLine(ctx.messageJson(EventSchema, event));
            else ctx.print(eventLine(event));
            count++;
            if (o.limit !== undefined && count >= o.limit) break;
          }
        } finally {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
        }
      }),
    );
}

/** One event as one line: time, topic, type, resource, actor, cursor. */
export function eventLine(e: Event): string {
  const data = e.data ? JSON.stringify(e.data) : "";
  return `${time(e.createTime)}  ${enumName(EventTopic, e.topic).toLowerCase().padEnd(9)} ${e.type.padEnd(36)} ${e.resource}  by ${e.actor || "-"}  cursor=${e.cursor}${data && data !== "{}" ? `  ${data}` : ""}`;
}
