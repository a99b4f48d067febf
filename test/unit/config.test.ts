import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, processSettings } from '../../src/config';
import { temporalConnectionOptions } from '../../src/config/temporal-connection';

describe('configuration from the environment', () => {
  it('has local defaults', () => {
    const c = loadConfig({});
    expect(c.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', tls: undefined, apiKey: undefined });
    expect(c.mlflow.trackingUri).toBe('http://127.0.0.1:5000');
    expect(c.taskQueues).toEqual({ cpu: 'cpu', gpu: 'gpu' });
    expect(c.gpuTrainingConcurrency).toBe(1);
    expect(c.temporalUiUrl).toBe('http://127.0.0.1:8233');
  });

  it('reads mTLS certificates from the paths given', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dml-tls-'));
    for (const f of ['client.pem', 'client.key', 'ca.pem']) fs.writeFileSync(path.join(dir, f), `contents of ${f}`);
    const c = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_TLS_CERT: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_KEY: path.join(dir, 'client.key'),
      TEMPORAL_TLS_CA: path.join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.example',
    });
    const opts = temporalConnectionOptions(c.temporal);
    expect(opts.address).toBe('temporal.example:7233');
    expect(opts.tls).toEqual({
      serverNameOverride: 'temporal.example',
      serverRootCACertificate: Buffer.from('contents of ca.pem'),
      clientCertPair: { crt: Buffer.from('contents of client.pem'), key: Buffer.from('contents of client.key') },
    });
  });

  it('turns TLS on for an API key, and keeps credentials out of anything but the connection', () => {
    const c = loadConfig({ TEMPORAL_API_KEY: 'k-123', MLFLOW_TRACKING_TOKEN: 't-456' });
    expect(temporalConnectionOptions(c.temporal)).toEqual({ address: '127.0.0.1:7233', tls: true, apiKey: 'k-123' });
    expect(c.mlflow.token).toBe('t-456');
  });

  it('rejects a non-numeric concurrency, naming the variable', () => {
    expect(() => loadConfig({ DML_GPU_TRAINING_CONCURRENCY: 'two' })).toThrow("DML_GPU_TRAINING_CONCURRENCY must be a positive integer, got 'two'");
  });

  it.each([
    [{ TEMPORAL_TLS_CERT: '/certs/client.pem' }, 'TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not'],
    [{ TEMPORAL_TLS_KEY: '/certs/client.key' }, 'TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not'],
  ])('refuses half an mTLS pair at startup instead of connecting without a client certificate (%j)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(`${message}: Temporal mTLS needs both the client certificate and its private key (or neither)`);
  });
});

describe('process settings (read in src/config, when used)', () => {
  it('parses the log level, refusing an unknown one by name', () => {
    expect(processSettings.logLevel({})).toBe('INFO');
    expect(processSettings.logLevel({ DML_LOG_LEVEL: 'debug' })).toBe('DEBUG');
    expect(() => processSettings.logLevel({ DML_LOG_LEVEL: 'LOUD' })).toThrow("DML_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, got 'LOUD'");
  });

  it('reads the switches, empty meaning unset', () => {
    expect([processSettings.offline({ DML_OFFLINE: '1' }), processSettings.offline({ DML_OFFLINE: 'true' }), processSettings.offline({ DML_OFFLINE: '0' }), processSettings.offline({})]).toEqual([true, true, false, false]);
    expect([processSettings.debug({ DML_DEBUG: '1' }), processSettings.debug({})]).toEqual([true, false]);
    expect([processSettings.workflowBundle({ DML_WORKFLOW_BUNDLE: '' }), processSettings.workflowBundle({ DML_WORKFLOW_BUNDLE: '/b.js' })]).toEqual([undefined, '/b.js']);
    expect([processSettings.metricsBind({}), processSettings.tfjsBackend({ DML_TFJS_BACKEND: 'wasm' })]).toEqual([undefined, 'wasm']);
  });
});
