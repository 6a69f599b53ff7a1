// The slice of the `pg` driver's API used by the LISTEN connection. `pg` ships no types and comes
// with @mikro-orm/postgresql; declaring what we use avoids another dependency for one file.
declare module "pg" {
  import type { EventEmitter } from "node:events";

  /** Connection settings of one client. */
  export interface ClientConfig {
    host?: string;
    port?: number;
    user?: string;
    password?: string;
    database?: string;
    application_name?: string;
    connectionTimeoutMillis?: number;
    keepAlive?: boolean;
  }

  /** A NOTIFY received on a channel this client listens to. */
  export interface Notification {
    processId: number;
    channel: string;
    payload?: string;
  }

  /** One connection to PostgreSQL. */
  export class Client extends EventEmitter {
    constructor(config?: ClientConfig);
    connect(): Promise<void>;
    query(text: string): Promise<unknown>;
    end(): Promise<void>;
    on(event: "notification", listener: (n: Notification) => void): this;
    on(event: "error", listener: (e: Error) => void): this;
    on(event: "end", listener: () => void): this;
  }
}
