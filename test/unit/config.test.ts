import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, processSettings } from '../../src/config';
import { loadTemporalConfig, standardTemporalEnv, temporalConnectionOptions } from '../../src/config/temporal';

/** envconfig reads files as plain Uint8Arrays. */
const bytes = (s: string) => new Uint8Array(Buffer.from(s));

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dml-cfg-'));
}

/** Three files with recognisable contents, as a CA, client certificate and key would be. */
function certFiles(dir = tmpDir()): Record<'ca' | 'crt' | 'key', string> {
  const files = { ca: path.join(dir, 'ca.pem'), crt: path.join(dir, 'client.pem'), key: path.join(dir, 'client.key') };
  for (const f of Object.values(files)) fs.writeFileSync(f, `contents of ${path.basename(f)}`);
  return files;
}

describe('configuration from the environment', () => {
  it('has local defaults', () => {
    const c = loadConfig({});
    expect(c.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', tls: undefined, apiKey: undefined });
    expect(c.mlflow.trackingUri).toBe('http://127.0.0.1:5000');
    expect(c.taskQueues).toEqual({ cpu: 'cpu', gpu: 'gpu' });
    expect(c.gpuTrainingConcurrency).toBe(1);
    expect(c.temporalUiUrl).toBe('http://127.0.0.1:8233');
  });

  it('turns TLS on for an API key and sends it, and keeps credentials out of anything but the connection', () => {
    const c = loadConfig({ TEMPORAL_API_KEY: 'k-123', MLFLOW_TRACKING_TOKEN: 't-456' });
    expect(temporalConnectionOptions(c.temporal)).toEqual({ address: '127.0.0.1:7233', tls: true, apiKey: 'k-123' });
    expect(c.mlflow.token).toBe('t-456');
  });

  it('rejects a non-numeric concurrency, naming the variable', () => {
    expect(() => loadConfig({ DML_GPU_TRAINING_CONCURRENCY: 'two' })).toThrow("DML_GPU_TRAINING_CONCURRENCY must be a positive integer, got 'two'");
  });
});

describe('Temporal connection through @temporalio/envconfig (the temporal CLI\'s settings)', () => {
  const noWarn = () => undefined;

  it('reads the standard TEMPORAL_TLS_* variables', () => {
    const f = certFiles();
    const c = loadTemporalConfig(
      {
        TEMPORAL_ADDRESS: 'temporal.example:7233',
        TEMPORAL_NAMESPACE: 'ml',
        TEMPORAL_TLS_CLIENT_CERT_PATH: f.crt,
        TEMPORAL_TLS_CLIENT_KEY_PATH: f.key,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: f.ca,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.example',
      },
      noWarn,
    );
    expect(c.namespace).toBe('ml');
    expect(temporalConnectionOptions(c)).toEqual({
      address: 'temporal.example:7233',
      tls: {
        serverNameOverride: 'temporal.example',
        serverRootCACertificate: bytes('contents of ca.pem'),
        clientCertPair: { crt: bytes('contents of client.pem'), key: bytes('contents of client.key') },
      },
    });
  });

  it('reads a TOML profile chosen by TEMPORAL_PROFILE, and lets the environment override single fields', () => {
    const dir = tmpDir();
    const f = certFiles(dir);
    const file = path.join(dir, 'temporal.toml');
    fs.writeFileSync(
      file,
      [
        '[profile.default]',
        'address = "localhost:1"',
        '[profile.prod]',
        'address = "prod.example:7233"',
        'namespace = "prod-ns"',
        'api_key = "from-file"',
        '[profile.prod.tls]',
        `server_ca_cert_path = "${f.ca}"`,
        'server_name = "prod.example"',
        '[profile.prod.grpc_meta]',
        'x-team = "ml"',
      ].join('\n'),
    );
    const fromFile = loadTemporalConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' }, noWarn);
    expect(temporalConnectionOptions(fromFile)).toEqual({
      address: 'prod.example:7233',
      apiKey: 'from-file',
      metadata: { 'x-team': 'ml' },
      tls: { serverNameOverride: 'prod.example', serverRootCACertificate: bytes('contents of ca.pem') },
    });
    expect(fromFile.namespace).toBe('prod-ns');

    const overridden = loadTemporalConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'other', TEMPORAL_API_KEY: 'from-env' }, noWarn);
    expect([overridden.address, overridden.namespace, overridden.apiKey]).toEqual(['prod.example:7233', 'other', 'from-env']);
    // Without TEMPORAL_PROFILE the file's "default" profile applies.
    expect(loadTemporalConfig({ TEMPORAL_CONFIG_FILE: file }, noWarn).address).toBe('localhost:1');
  });

  it('names the profile and the file when the profile does not exist', () => {
    const file = path.join(tmpDir(), 'temporal.toml');
    fs.writeFileSync(file, '[profile.default]\naddress = "a:1"\n');
    expect(() => loadTemporalConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' }, noWarn)).toThrow(
      `cannot load the Temporal client profile (TEMPORAL_CONFIG_FILE=${file}, TEMPORAL_PROFILE=staging): Profile 'staging' not found in config data`,
    );
  });

  it('keeps the local dev server as the default, on TEMPORAL_PORT', () => {
    expect(loadTemporalConfig({ TEMPORAL_PORT: '17999' }, noWarn)).toEqual({ address: '127.0.0.1:17999', namespace: 'default' });
  });

  it('ignores empty variables (docker-compose passes unset settings as ""), so an empty API key does not turn TLS on', () => {
    const c = loadTemporalConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_API_KEY: '', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '', TEMPORAL_TLS_CERT: '' }, noWarn);
    expect(temporalConnectionOptions(c)).toEqual({ address: 'temporal:7233' });
  });

  it('still reads the old TEMPORAL_TLS_CERT / _KEY / _CA for one release, warning once per name', () => {
    const f = certFiles();
    const warnings: string[] = [];
    const c = loadTemporalConfig({ TEMPORAL_TLS_CERT: f.crt, TEMPORAL_TLS_KEY: f.key, TEMPORAL_TLS_CA: f.ca }, (m) => warnings.push(m));
    expect(temporalConnectionOptions(c).tls).toEqual({
      serverNameOverride: undefined,
      serverRootCACertificate: bytes('contents of ca.pem'),
      clientCertPair: { crt: bytes('contents of client.pem'), key: bytes('contents of client.key') },
    });
    expect(warnings).toEqual([
      'TEMPORAL_TLS_CERT is deprecated and will be removed in the next release; use TEMPORAL_TLS_CLIENT_CERT_PATH (the name the temporal CLI reads)',
      'TEMPORAL_TLS_KEY is deprecated and will be removed in the next release; use TEMPORAL_TLS_CLIENT_KEY_PATH (the name the temporal CLI reads)',
      'TEMPORAL_TLS_CA is deprecated and will be removed in the next release; use TEMPORAL_TLS_SERVER_CA_CERT_PATH (the name the temporal CLI reads)',
    ]);
  });

  it('prefers the standard name over an old one set alongside it, and says the old one is ignored', () => {
    const warnings: string[] = [];
    expect(standardTemporalEnv({ TEMPORAL_TLS_CA: '/old/ca.pem', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/new/ca.pem' }, (m) => warnings.push(m))).toEqual({
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/new/ca.pem',
    });
    expect(warnings).toEqual(['TEMPORAL_TLS_CA is deprecated and ignored because TEMPORAL_TLS_SERVER_CA_CERT_PATH is set; unset TEMPORAL_TLS_CA']);
  });

  it('emits the deprecation warning once per process, however often the config is read', () => {
    const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      for (let i = 0; i < 3; i++) loadConfig({ TEMPORAL_TLS_SERVER_NAME: 'x', TEMPORAL_TLS_CA: '/ca.pem' });
      expect(emit.mock.calls.filter(([m]) => String(m).startsWith('TEMPORAL_TLS_CA is deprecated'))).toHaveLength(1);
    } finally {
      emit.mockRestore();
    }
  });

  it.each([
    [{ TEMPORAL_TLS_CLIENT_CERT_PATH: '/certs/client.pem' }, 'the Temporal client certificate is set but its private key is not'],
    [{ TEMPORAL_TLS_CLIENT_KEY_PATH: '/certs/client.key' }, 'the Temporal client private key is set but its certificate is not'],
    [{ TEMPORAL_TLS_CERT: '/certs/client.pem' }, 'the Temporal client certificate is set but its private key is not'],
  ])('refuses half an mTLS pair at startup instead of connecting without a client certificate (%j)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(`${message}: mTLS needs both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH`);
  });

  it('names the TLS file it cannot read', () => {
    const c = loadTemporalConfig({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nonexistent/ca.pem' }, noWarn);
    expect(() => temporalConnectionOptions(c)).toThrow(/cannot read a Temporal TLS file .*\/nonexistent\/ca\.pem/);
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
