import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import {
  createSecureServer,
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2SecureServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from "node:http2";
import { readFileSync } from "node:fs";

/** A request handler that serves both HTTP/1.1 and HTTP/2 (Node's compatibility API). */
export type RequestHandler = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => void;

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
  /**
   * Sees every HTTP/2 stream before Node's compatibility layer does, and serves those it claims
   * itself on the core API (the gRPC fast path); the rest reach `handler` as usual.
   */
  readonly claimStream?: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;
}

/** A listening server with a graceful close. */
export interface Listener {
  readonly address: AddressInfo;
  /**
   * Stops accepting connections, lets in-flight calls finish (HTTP/2 GOAWAY; HTTP/1.1 idle
   * connections closed first), and after `graceMs` destroys whatever is still open.
   */
  close(graceMs: number): Promise<void>;
}

// The HTTP/2 client connection preface (RFC 9113 §3.4). No HTTP/1.1 request line starts with "PRI *".
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
// A client that connects and sends nothing is dropped after this long.
const SNIFF_TIMEOUT_MS = 10_000;

// Bounds on what one HTTP/2 peer may hold open (memory is bounded per connection). The flow-control
// windows are larger than HTTP/2's 64 KiB default: a 64-row MLP request is 200 KiB, and with the
// default window each such message waited for several WINDOW_UPDATE round trips.
const STREAM_WINDOW = 4 * 1024 * 1024;
const SESSION_WINDOW = 16 * 1024 * 1024;
const h2Settings = { maxConcurrentStreams: 1000, maxHeaderListSize: 64 * 1024, initialWindowSize: STREAM_WINDOW, maxFrameSize: 1024 * 1024 };

/**
 * Serves `handler` on one port. Plaintext: each connection's first bytes are compared with the
 * HTTP/2 preface and the socket is handed to an h2c or an HTTP/1.1 server that share the handler,
 * so gRPC, gRPC-Web and Connect all work on one port. TLS: ALPN picks h2 or HTTP/1.1.
 */
export async function listen(handler: RequestHandler, options: ListenOptions): Promise<Listener> {
  const sockets = new Set<Socket>();
  const sniffing = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  const trackSession = (s: Http2Session) => {
    s.setLocalWindowSize(SESSION_WINDOW);
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  };

  let h1: ReturnType<typeof createHttp1Server> | undefined;
  let front: { close(cb: () => void): void; listen(port: number, host: string, cb: () => void): void; address(): AddressInfo | string | null; on(e: string, f: (...a: never[]) => void): void };

  if (options.tls) {
    const secure = createSecureServer(
      { allowHTTP1: true, cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile), settings: h2Settings },
      handler as never,
    );
    secure.on("session", trackSession);
    if (options.claimStream) claimStreamsFirst(secure, options.claimStream);
    secure.on("secureConnection", (s: Socket) => {
      sockets.add(s);
      s.once("close", () => sockets.delete(s));
    });
    front = secure as never;
  } else {
    const h2 = createHttp2Server({ settings: h2Settings }, handler as never);
    h2.on("session", trackSession);
    if (options.claimStream) claimStreamsFirst(h2, options.claimStream);
    h1 = createHttp1Server(handler as never);
    // Slowloris bounds for HTTP/1.1: headers and whole requests must arrive in time.
    h1.headersTimeout = 30_000;
    h1.requestTimeout = 0; // streaming uploads may take long; per-call deadlines bound them instead
    h1.keepAliveTimeout = 5_000;
    // Node's HTTP/1.1 server tracks its connections only from its 'listening' event on: without that
    // tracking, closeIdleConnections() does nothing (a graceful close then waited for every idle
    // keep-alive client's timeout) and the headersTimeout/requestTimeout checks never run (so a client
    // trickling its headers was never cut off). This server never listens itself, since the sniffer
    // hands it its sockets, so it is told once that it is listening.
    h1.emit("listening");
    const http1 = h1;
    front = createNetServer({ pauseOnConnect: false }, (socket) => {
      sockets.add(socket);
      socket.once("close", () => {
        sockets.delete(socket);
        sniffing.delete(socket);
      });
      sniffing.add(socket);
      sniff(socket, (isHttp2) => {
        sniffing.delete(socket);
        if (isHttp2) {
          // http2 reads the unshifted preface itself; resuming here would lose it.
          h2.emit("connection", socket);
        } else {
          http1.emit("connection", socket);
          socket.resume();
        }
      });
    }) as never;
  }

  await new Promise<void>((resolve, reject) => {
    front.on("error", reject as never);
    front.listen(options.port, options.host, () => resolve());
  });
  const address = front.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    address,
    close(graceMs) {
      closing ??= new Promise<void>((resolve) => {
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          for (const s of sessions) s.destroy();
          for (const s of sockets) s.destroy();
          h1?.closeAllConnections();
        }, graceMs);
        timer.unref();
        front.close(finish);
        for (const s of sessions) s.close();
        // Closes idle keep-alive connections and stops the connection checks that 'listening' started.
        h1?.close(() => undefined);
        // HTTP/1.1 connections that finish their current request are closed instead of kept alive.
        h1?.on("request", (_req, res: ServerResponse) => res.setHeader("connection", "close"));
        // A connection still being sniffed has no request in flight.
        for (const s of sniffing) s.destroy();
      });
      return closing;
    },
  };
}

/**
 * Puts `claim` in front of Node's compatibility layer: Node serves the request/response API from its
 * own 'stream' listener, which is replaced by one that offers each stream to `claim` first and hands
 * the rest to Node's listener, so 100-continue, CONNECT and everything else stay Node's.
 */
function claimStreamsFirst(
  server: Http2Server | Http2SecureServer,
  claim: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean,
): void {
  const compat = server.listeners("stream");
  if (compat.length !== 1) throw new Error(`expected Node's http2 compatibility listener alone on 'stream', found ${compat.length}`);
  const toCompat = compat[0] as (this: unknown, ...args: unknown[]) => void;
  server.removeAllListeners("stream");
  server.on("stream", function (this: unknown, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, ...rest: unknown[]) {
    if (!claim(stream, headers)) toCompat.call(this, stream, headers, ...rest);
  });
}

/** Reads just enough of the first bytes to tell an HTTP/2 preface from an HTTP/1.1 request line. */
function sniff(socket: Socket, decide: (isHttp2: boolean) => void): void {
  const chunks: Buffer[] = [];
  let length = 0;
  const timer = setTimeout(() => socket.destroy(), SNIFF_TIMEOUT_MS);
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
    const head = chunks.length === 1 ? chunk : Buffer.concat(chunks);
    const n = Math.min(head.length, PREFACE.length);
    const matches = head.subarray(0, n).equals(PREFACE.subarray(0, n));
    // Undecided while the bytes so far are a strict prefix of the preface ("P" could be "POST").
    if (matches && length < PREFACE.length) return;
    clearTimeout(timer);
    socket.removeListener("data", onData);
    socket.removeListener("end", onEnd);
    socket.pause();
    socket.unshift(head);
    decide(matches);
  };
  const onEnd = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  socket.on("data", onData);
  socket.once("end", onEnd);
  socket.once("error", () => clearTimeout(timer));
}
