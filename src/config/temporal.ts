/**
 * Temporal connection settings from the same sources the `temporal` CLI reads (@temporalio/envconfig): a profile of
 * the TOML config file (TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml; TEMPORAL_PROFILE, else
 * "default"), overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY and TEMPORAL_TLS_*.
 * Clients, workers, the CLI and schedules all connect through this one loader.
 */
import type { TLSConfig } from '@temporalio/client';
import { ClientConfigProfile, loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';

/** The standard variables a deployment sets for a worker (the full list: @temporalio/envconfig and the CLI docs). */
export const TEMPORAL_ENV_VARS = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
] as const;

/** durable-ml's own names from before the standard loader: still read for one release, with a warning. */
export const DEPRECATED_TEMPORAL_ENV: Record<string, string> = {
  TEMPORAL_TLS_CERT: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
};

/** The resolved profile, with the local dev server's address and the default namespace filled in. */
export type TemporalConfig = ClientConfigProfile & { address: string; namespace: string };

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/** A setting that cannot work: refused when the configuration is read, at startup, naming the variables. */
export class ConfigError extends Error {
  name = 'ConfigError';
}

const warned = new Set<string>();

/** Once per process and name: every CLI command and worker reads the config, the warning is only useful once. */
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(message, { type: 'DeprecationWarning', code: 'DML_TEMPORAL_ENV' });
}

/**
 * The environment as envconfig should see it: empty values dropped (docker-compose passes unset settings as "",
 * which envconfig would take as an empty API key, i.e. TLS on) and the deprecated names mapped to the standard ones.
 */
export function standardTemporalEnv(env: NodeJS.ProcessEnv, warn: (message: string) => void = warnOnce): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  for (const [old, standard] of Object.entries(DEPRECATED_TEMPORAL_ENV)) {
    if (out[old] === undefined) continue;
    if (out[standard] !== undefined) {
      warn(`${old} is deprecated and ignored because ${standard} is set; unset ${old}`);
    } else {
      warn(`${old} is deprecated and will be removed in the next release; use ${standard} (the name the temporal CLI reads)`);
      out[standard] = out[old];
    }
    delete out[old];
  }
  return out;
}

export function loadTemporalConfig(env: NodeJS.ProcessEnv, warn?: (message: string) => void): TemporalConfig {
  const standard = standardTemporalEnv(env, warn);
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: standard });
  } catch (err) {
    const where = [standard.TEMPORAL_CONFIG_FILE && `TEMPORAL_CONFIG_FILE=${standard.TEMPORAL_CONFIG_FILE}`, standard.TEMPORAL_PROFILE && `TEMPORAL_PROFILE=${standard.TEMPORAL_PROFILE}`]
      .filter(Boolean)
      .join(', ');
    throw new ConfigError(`cannot load the Temporal client profile${where ? ` (${where})` : ''}: ${(err as Error).message}`);
  }
  // mTLS needs the certificate and its key; envconfig would silently connect without a client certificate.
  if (Boolean(profile.tls?.clientCert) !== Boolean(profile.tls?.clientKey)) {
    const [set, unset] = profile.tls?.clientCert ? ['certificate', 'private key'] : ['private key', 'certificate'];
    throw new ConfigError(
      `the Temporal client ${set} is set but its ${unset} is not: mTLS needs both TEMPORAL_TLS_CLIENT_CERT_PATH and ` +
        'TEMPORAL_TLS_CLIENT_KEY_PATH (or client_cert_path and client_key_path in the profile), or neither',
    );
  }
  return { ...profile, address: profile.address ?? `127.0.0.1:${env.TEMPORAL_PORT || '7233'}`, namespace: profile.namespace ?? 'default' };
}

/** Options for `Connection.connect` and `NativeConnection.connect`; reads the certificate files now, so a missing one fails here. */
export function temporalConnectionOptions(cfg: TemporalConfig): TemporalConnectionOptions {
  let options;
  try {
    ({ connectionOptions: options } = toClientOptions(cfg));
  } catch (err) {
    throw new ConfigError(`cannot read a Temporal TLS file (TEMPORAL_TLS_* or the profile's tls section): ${(err as Error).message}`);
  }
  return { address: cfg.address, tls: options.tls ?? undefined, apiKey: cfg.apiKey, metadata: cfg.grpcMeta };
}
