/** Temporal connection settings (address, namespace, optional mTLS and API key) for clients and workers alike. */
import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalConfig } from './index';

export function temporalConnectionOptions(cfg: TemporalConfig): { address: string; tls?: TLSConfig | boolean; apiKey?: string } {
  const tls = cfg.tls
    ? {
        serverNameOverride: cfg.tls.serverName,
        serverRootCACertificate: cfg.tls.caPath ? fs.readFileSync(cfg.tls.caPath) : undefined,
        clientCertPair:
          cfg.tls.certPath && cfg.tls.keyPath
            ? { crt: fs.readFileSync(cfg.tls.certPath), key: fs.readFileSync(cfg.tls.keyPath) }
            : undefined,
      }
    : // An API key (Temporal Cloud) implies TLS.
      cfg.apiKey
      ? true
      : undefined;
  return { address: cfg.address, tls, apiKey: cfg.apiKey };
}
