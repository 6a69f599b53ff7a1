import { KubeConfig } from "@kubernetes/client-node";
import { AppError } from "../../../platform/errors/app-error.js";

/** The connection settings a kubeconfig document holds for its current context. */
export interface KubeconfigConnection {
  readonly apiServerUrl: string;
  readonly token?: string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  /** PEM, or the base64 of a PEM as kubeconfigs carry it. */
  readonly certificateAuthority?: string;
  readonly insecureSkipTlsVerify: boolean;
  /** The context's namespace; "" when it names none. */
  readonly namespace: string;
}

const invalid = (message: string) =>
  new AppError("invalid_argument", "KUBECONFIG_INVALID", `credentials.kubeconfig: ${message}`, {}, { fieldViolations: [{ field: "credentials.kubeconfig", description: message }] });

/**
 * Reads the current context of a kubeconfig document (YAML or JSON) such as the ones managed
 * Kubernetes services issue (CoreWeave's is a bearer token with the cluster's CA). Only inline
 * credentials are accepted: files and exec plugins would run or read things on the server host.
 */
export function connectionFromKubeconfig(document: string, contextName?: string): KubeconfigConnection {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(document);
  } catch (e) {
    throw invalid(`not a kubeconfig document (${(e as Error).message.split("\n")[0]})`);
  }
  if (contextName) {
    if (!kc.getContextObject(contextName)) throw invalid(`has no context named ${contextName}`);
    kc.setCurrentContext(contextName);
  }
  const context = kc.getContextObject(kc.getCurrentContext());
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!context || !cluster) throw invalid("has no current context with a cluster");
  if (user?.exec || user?.authProvider) throw invalid("uses an exec or auth-provider plugin; use a token or an inline client certificate");
  if (cluster.caFile || user?.certFile || user?.keyFile) throw invalid("refers to files; inline the certificate data (certificate-authority-data, client-certificate-data, client-key-data)");
  if (!user?.token && !(user?.certData && user?.keyData)) throw invalid("has no token or client certificate for the current user");
  const fromBase64 = (v: string | undefined) => (v ? Buffer.from(v, "base64").toString("utf8") : undefined);
  return {
    apiServerUrl: cluster.server,
    ...(user.token ? { token: user.token } : {}),
    ...(user.certData ? { clientCertificate: fromBase64(user.certData)! } : {}),
    ...(user.keyData ? { clientKey: fromBase64(user.keyData)! } : {}),
    ...(cluster.caData ? { certificateAuthority: fromBase64(cluster.caData)! } : {}),
    insecureSkipTlsVerify: cluster.skipTLSVerify,
    namespace: context.namespace ?? "",
  };
}
