import { pino, type Logger } from "pino";

/**
 * JSON logs on stdout. Anything that looks like a credential is redacted by path, as a second line
 * of defence: code never logs secrets on purpose.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "artenic" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ["authorization", "*.authorization", "secret", "*.secret", "apiKey", "*.apiKey", "password", "*.password", "credentials", "*.credentials"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
