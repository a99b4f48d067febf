/**
 * Static checks of docker-compose.yml and docker/*.Dockerfile (no Docker engine needed): the layout is complete,
 * references resolve, and the names it shares with the code (env vars, search attributes, pinned versions,
 * build outputs) stay in step with src/. Runs after `tsc`, so build/src/workers/*.js exist.
 */
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { PROJECT_ROOT } from '../../src/config';
import { TEMPORAL_ENV_VARS } from '../../src/config/temporal';

type Dict = Record<string, unknown>;

const read = (rel: string) => fs.readFileSync(path.join(PROJECT_ROOT, rel), 'utf8');
const asDict = (v: unknown): Dict => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Dict) : {});

const compose = asDict(YAML.parse(read('docker-compose.yml')));
const services = asDict(compose.services);
const service = (name: string) => asDict(services[name]);

/** `environment` as a map, from either the map or the `KEY=value` list form. */
function envOf(name: string): Record<string, string> {
  const env = service(name).environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const [key, ...rest] = String(entry).split('=');
        return [key, rest.join('=')];
      }),
    );
  }
  return Object.fromEntries(Object.entries(asDict(env)).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function dependsOn(name: string): string[] {
  const deps = service(name).depends_on;
  return Array.isArray(deps) ? deps.map(String) : Object.keys(asDict(deps));
}

/** Volume sources of a service: named volumes only (bind mounts and anonymous volumes are left out). */
function namedVolumes(name: string): { source: string; target: string }[] {
  const out: { source: string; target: string }[] = [];
  for (const v of (service(name).volumes as unknown[] | undefined) ?? []) {
    let source: string | undefined;
    let target: string | undefined;
    if (typeof v === 'string') {
      const parts = v.split(':');
      if (parts.length >= 2) [source, target] = parts;
    } else {
      const d = asDict(v);
      if (d.type === 'volume' && d.source) [source, target] = [String(d.source), String(d.target)];
    }
    if (source && target && !/^[./~$]/.test(source)) out.push({ source, target });
  }
  return out;
}

/** Instructions of a Dockerfile (continuation lines joined, comments dropped). */
function dockerfileInstructions(rel: string): { op: string; args: string }[] {
  const joined = read(rel)
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S+)\s+(.*)$/.exec(line);
      return { op: (m?.[1] ?? line).toUpperCase(), args: m?.[2] ?? '' };
    });
}

function dockerfileOf(name: string): string {
  const build = asDict(service(name).build);
  const context = String(build.context ?? '.');
  return path.relative(PROJECT_ROOT, path.resolve(PROJECT_ROOT, context, String(build.dockerfile ?? 'Dockerfile')));
}

const REQUIRED_SERVICES = ['postgresql', 'temporal', 'temporal-ui', 'mlflow-db', 'mlflow', 'worker-cpu', 'worker-gpu'];
const WORKERS = ['worker-cpu', 'worker-gpu'];

/** Environment variables the code reads that the workers may be given. */
const WORKER_ENV_NAMES = [
  ...TEMPORAL_ENV_VARS, 'MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_USERNAME',
  'MLFLOW_TRACKING_PASSWORD', 'MLFLOW_TRACKING_TOKEN', 'DML_CPU_QUEUE', 'DML_GPU_QUEUE', 'DML_DATA_ROOT',
  'DML_GPU_TRAINING_CONCURRENCY', 'DML_CPU_ACTIVITY_CONCURRENCY', 'DML_TFJS_BACKEND', 'LIGHTGBM_LIB', 'DML_LOG_LEVEL', 'DML_METRICS_BIND', 'DML_LIGHTGBM_THREADS',
  'DML_CHECKPOINT_EVERY_SEC',
  'DML_KEEP_CHECKPOINTS',
  'DML_DATA_ROOT_SHARED',
  'DML_COMPUTE_THREADS',
];
/** loadConfig names that only give host-side defaults (published ports, UI links), not worker settings. */
const HOST_ONLY_CONFIG_NAMES = ['TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'MLFLOW_PORT', 'TEMPORAL_UI_URL', 'DML_DEBUG'];
/** Optional switches whose default is right for the compose workers (bundle from source; downloads allowed). */
const OPTIONAL_CONFIG_NAMES = ['DML_WORKFLOW_BUNDLE', 'DML_OFFLINE'];
/** loadConfig names that one worker role has no use for. */
const NOT_NEEDED_BY: Record<string, string[]> = {
  'worker-cpu': ['DML_GPU_TRAINING_CONCURRENCY', 'DML_CHECKPOINT_EVERY_SEC'],
  // Run files are cleaned up by finishTrackingRun, a CPU activity.
  // Compute threads serve CPU-queue activities (power prepare, evaluation charts).
  'worker-gpu': ['DML_CPU_ACTIVITY_CONCURRENCY', 'LIGHTGBM_LIB', 'DML_LIGHTGBM_THREADS', 'DML_KEEP_CHECKPOINTS', 'DML_COMPUTE_THREADS'],
};

function srcText(): string {
  const parts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) parts.push(fs.readFileSync(full, 'utf8'));
    }
  };
  walk(path.join(PROJECT_ROOT, 'src'));
  return parts.join('\n');
}

/** Names loadConfig reads: `env.NAME` and `intFromEnv(env, 'NAME', ...)`. */
function configEnvNames(): string[] {
  const text = read('src/config/index.ts');
  const names = new Set<string>();
  for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]);
  for (const m of text.matchAll(/FromEnv\(\s*env\s*,\s*'([A-Z][A-Z0-9_]*)'/g)) names.add(m[1]);
  // The Temporal connection is read by @temporalio/envconfig: the standard names a worker may be given.
  for (const name of TEMPORAL_ENV_VARS) names.add(name);
  return [...names].sort();
}

describe('docker-compose.yml', () => {
  it('follows the Compose Specification layout with every required service', () => {
    expect(compose.version).toBeUndefined();
    for (const name of REQUIRED_SERVICES) expect(Object.keys(services)).toContain(name);
    for (const [name, svc] of Object.entries(services)) {
      const s = asDict(svc);
      expect([name, Boolean(s.image || s.build)]).toEqual([name, true]);
      if (s.image) expect([name, String(s.image)]).toEqual([name, expect.stringMatching(/^[^:]+:(?!latest$)[\w.-]+$/)]);
    }
  });

  it('builds from Dockerfiles that exist, and the worker images run files tsc produces', () => {
    expect(dockerfileOf('mlflow')).toBe('docker/mlflow.Dockerfile');
    expect(dockerfileOf('worker-cpu')).toBe('docker/worker.Dockerfile');
    expect(dockerfileOf('worker-gpu')).toBe('docker/worker-gpu.Dockerfile');
    for (const [name, svc] of Object.entries(services)) {
      if (!asDict(svc).build) continue;
      expect([name, fs.existsSync(path.join(PROJECT_ROOT, dockerfileOf(name)))]).toEqual([name, true]);
    }
    const outDir = String((JSON.parse(read('tsconfig.json')) as { compilerOptions: Dict }).compilerOptions.outDir);
    for (const [name, script] of [['worker-cpu', 'cpu.js'], ['worker-gpu', 'gpu.js']]) {
      const expected = `${outDir}/src/workers/${script}`;
      const cmds = dockerfileInstructions(dockerfileOf(name)).filter((i) => i.op === 'CMD');
      const command = service(name).command ?? JSON.parse(cmds[cmds.length - 1].args);
      expect(command).toEqual(['node', expected]);
      expect([expected, fs.existsSync(path.join(PROJECT_ROOT, expected))]).toEqual([expected, true]);
    }
  });

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim().replace(/\/$/, ''))
      .filter((l) => l && !l.startsWith('#'));
    for (const must of ['node_modules', 'build', '.venv', '.local', '.git']) expect(ignored).toContain(must);
    for (const file of ['docker/mlflow.Dockerfile', 'docker/worker.Dockerfile', 'docker/worker-gpu.Dockerfile']) {
      for (const { args } of dockerfileInstructions(file).filter((i) => i.op === 'COPY' && !/--from=/.test(i.args))) {
        const sources = args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1);
        for (const src of sources) {
          const clean = src.replace(/\/$/, '');
          expect([file, src, fs.existsSync(path.join(PROJECT_ROOT, clean))]).toEqual([file, src, true]);
          expect([file, src, ignored.includes(clean)]).toEqual([file, src, false]);
        }
      }
    }
  });

  it('depends only on services that exist', () => {
    for (const name of Object.keys(services)) {
      for (const dep of dependsOn(name)) expect([name, dep, dep in services]).toEqual([name, dep, true]);
    }
    for (const worker of WORKERS) {
      expect(dependsOn(worker)).toEqual(expect.arrayContaining(['temporal-admin-tools', 'mlflow']));
    }
  });

  it('declares every named volume it uses, and uses every one it declares', () => {
    const declared = Object.keys(asDict(compose.volumes));
    const used = new Set<string>();
    for (const name of Object.keys(services)) {
      for (const { source } of namedVolumes(name)) {
        used.add(source);
        expect([name, source, declared.includes(source)]).toEqual([name, source, true]);
      }
    }
    expect([...used].sort()).toEqual([...declared].sort());
  });

  it('shares one data volume between the workers at DML_DATA_ROOT', () => {
    const mounts = WORKERS.map((w) => namedVolumes(w).find((v) => v.target === '/data'));
    expect(mounts[0]).toBeDefined();
    expect(mounts[1]).toEqual(mounts[0]);
    for (const worker of WORKERS) expect(envOf(worker).DML_DATA_ROOT).toBe('/data');
  });

  it('gives the workers only environment variables the code reads', () => {
    const src = srcText();
    for (const worker of WORKERS) {
      for (const key of Object.keys(envOf(worker))) {
        expect([worker, key, WORKER_ENV_NAMES.includes(key)]).toEqual([worker, key, true]);
        expect([worker, key, new RegExp(`\\b${key}\\b`).test(src)]).toEqual([worker, key, true]);
      }
    }
  });

  it("gives each worker every setting loadConfig reads that its role needs", () => {
    const names = configEnvNames();
    expect(names).toEqual(expect.arrayContaining(['TEMPORAL_ADDRESS', 'MLFLOW_TRACKING_URI', 'DML_DATA_ROOT']));
    for (const worker of WORKERS) {
      const needed = names.filter((n) => !HOST_ONLY_CONFIG_NAMES.includes(n) && !OPTIONAL_CONFIG_NAMES.includes(n) && !NOT_NEEDED_BY[worker].includes(n));
      expect([worker, needed.filter((n) => !(n in envOf(worker)))]).toEqual([worker, []]);
    }
  });

  it('points the workers and the UI at the Temporal and MLflow services, which accept that Host header', () => {
    for (const name of [...WORKERS, 'temporal-ui', 'temporal-admin-tools']) {
      expect([name, envOf(name).TEMPORAL_ADDRESS]).toEqual([name, 'temporal:7233']);
    }
    const mlflowCommand = (service('mlflow').command as unknown[]).map(String);
    const allowed = mlflowCommand[mlflowCommand.indexOf('--allowed-hosts') + 1].split(',');
    for (const worker of WORKERS) {
      const uri = new URL(envOf(worker).MLFLOW_TRACKING_URI);
      expect(uri.hostname in services).toBe(true);
      expect(uri.port).toBe(mlflowCommand[mlflowCommand.indexOf('--port') + 1]);
      expect(allowed).toContain(uri.host);
    }
  });

  it('keeps secrets out of the file: passwords, keys and tokens come from interpolation', () => {
    for (const name of Object.keys(services)) {
      for (const [key, value] of Object.entries(envOf(name))) {
        if (/PASSWORD|PWD|TOKEN|API_KEY|SECRET/.test(key)) {
          expect([name, key, value]).toEqual([name, key, expect.stringMatching(/^\$\{[A-Z0-9_]+(:?-[^}]*)?\}$/)]);
        }
      }
    }
    const text = read('docker-compose.yml');
    for (const m of text.matchAll(/:\/\/(?:\$\{[^}]*\}|[^\s:/@]+):([^\s@]+)@/g)) expect(m[1]).toMatch(/^\$\{[A-Z0-9_]+(:?-[^}]*)?\}$/);
  });

  it('uses the same database credentials on both sides', () => {
    const pg = envOf('postgresql');
    const temporal = envOf('temporal');
    expect(temporal).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql', POSTGRES_USER: pg.POSTGRES_USER, POSTGRES_PWD: pg.POSTGRES_PASSWORD });
    expect(dependsOn('temporal')).toContain('postgresql');
    const db = envOf('mlflow-db');
    const mlflowCommand = (service('mlflow').command as unknown[]).map(String);
    const storeUri = mlflowCommand[mlflowCommand.indexOf('--backend-store-uri') + 1];
    expect(storeUri).toBe(`postgresql+psycopg2://${db.POSTGRES_USER}:${db.POSTGRES_PASSWORD}@mlflow-db:5432/${db.POSTGRES_DB}`);
    for (const name of ['postgresql', 'mlflow-db']) {
      expect(JSON.stringify(service(name).healthcheck)).toContain('pg_isready');
    }
  });

  it('registers the search attributes the workflows upsert', () => {
    const declared = [...read('src/workflows/shared/search-attributes.ts').matchAll(/defineSearchAttributeKey\('(\w+)',\s*SearchAttributeType\.(\w+)\)/g)];
    expect(declared.length).toBeGreaterThan(0);
    const script = JSON.stringify(service('temporal-admin-tools').command);
    expect(script).toContain('search-attribute create');
    for (const [, name, type] of declared) {
      expect(type).toBe('KEYWORD');
      expect(script).toMatch(new RegExp(`\\b${name}\\b`));
    }
    expect(script).toContain('--type Keyword');
    for (const worker of WORKERS) {
      expect(asDict(service(worker).depends_on)['temporal-admin-tools']).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  it('reserves an NVIDIA GPU for the GPU worker only', () => {
    const devices = (asDict(asDict(asDict(service('worker-gpu').deploy).resources).reservations).devices ?? []) as Dict[];
    const gpu = devices.find((d) => d.driver === 'nvidia' && Array.isArray(d.capabilities) && d.capabilities.includes('gpu'));
    expect(gpu).toBeDefined();
    expect(gpu!.count === 'all' || (Number.isInteger(gpu!.count) && Number(gpu!.count) >= 1) || Array.isArray(gpu!.device_ids)).toBe(true);
    expect(service('worker-cpu').deploy).toBeUndefined();
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const published: string[] = [];
    for (const [name, svc] of Object.entries(services)) {
      for (const port of (asDict(svc).ports as unknown[] | undefined) ?? []) {
        if (typeof port === 'object' && port !== null) {
          expect([name, asDict(port).host_ip]).toEqual([name, '127.0.0.1']);
          published.push(`${name}:${asDict(port).target}`);
        } else {
          expect([name, String(port)]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:[^:]+:\d+(\/(tcp|udp))?$/)]);
          published.push(`${name}:${String(port).split(':').pop()!.split('/')[0]}`);
        }
      }
    }
    expect(published).toEqual(expect.arrayContaining(['temporal:7233', 'temporal-ui:8080', 'mlflow:5000']));
  });

  it('pins the same versions as package.json and scripts/versions.sh', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    // The native packages are pinned in package.json at tfjs's version; the images build them with the project's script.
    for (const native of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) expect(pkg.dependencies[native]).toBe(pkg.dependencies['@tensorflow/tfjs']);
    expect(read('docker/worker-gpu.Dockerfile')).toContain(`@tensorflow/tfjs-node-gpu@${pkg.dependencies['@tensorflow/tfjs']}`);
    expect(read('docker/worker-gpu.Dockerfile')).toContain('scripts/setup-tensorflow.sh build gpu');
    expect(read('docker/worker.Dockerfile')).toContain('scripts/setup-tensorflow.sh build cpu');
    const versions = read('scripts/versions.sh');
    const pin = (name: string) => new RegExp(`"${name}==([^"\\s]+)"`).exec(versions)?.[1];
    expect(read('docker/worker.Dockerfile')).toContain(`lightgbm==${pin('lightgbm')}`);
    expect(read('docker/mlflow.Dockerfile')).toContain(`mlflow==${pin('mlflow')}`);
    expect(read('docker/mlflow.Dockerfile')).toContain(/PSYCOPG2_PIN="([^"]+)"/.exec(versions)?.[1]);
    const lib = envOf('worker-cpu').LIGHTGBM_LIB;
    expect(lib).toMatch(/^\/opt\/venv\/lib\/python3\.\d+\/site-packages\/lightgbm\/lib\/lib_lightgbm\.so$/);
    const dockerEnv = dockerfileInstructions('docker/worker.Dockerfile').filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    expect(dockerEnv).toContain(`LIGHTGBM_LIB=${lib}`);
    const pythonImage = /FROM python:(\d+\.\d+)/.exec(read('docker/worker.Dockerfile'))?.[1];
    expect(lib).toContain(`/python${pythonImage}/`);
  });

  describe('uses the settings of scripts/cluster.sh (config/cluster.env), the same layout without Docker', () => {
    const clusterEnv = Object.fromEntries(
      [...read('config/cluster.env').matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, k, v]) => [k, v.replace(/^"(.*)"$/, '$1')]),
    );
    const text = read('docker-compose.yml');
    const defaults = [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*):-([^}]*)\}/g)];

    it('interpolates every shared setting with the same default', () => {
      const settings = Object.keys(clusterEnv).filter((k) => k !== 'DML_SEARCH_ATTRIBUTES');
      expect(settings.length).toBeGreaterThan(5);
      for (const key of settings) {
        const uses = defaults.filter((m) => m[1] === key);
        expect([key, uses.length > 0]).toEqual([key, true]);
        for (const m of uses) expect([key, m[2]]).toEqual([key, clusterEnv[key]]);
      }
    });

    it('registers the same search attributes', () => {
      const script = JSON.stringify(service('temporal-admin-tools').command);
      const listed = /for name in ([\w ]+); do/.exec(script)?.[1].trim().split(/\s+/);
      expect(listed).toEqual(clusterEnv.DML_SEARCH_ATTRIBUTES.split(/\s+/));
    });

    it('gives its worker processes only variables the compose workers get too', () => {
      const script = read('scripts/cluster.sh');
      const start = script.slice(script.indexOf('start_worker() {'), script.indexOf('start_workers() {'));
      const names = [...start.matchAll(/\b([A-Z][A-Z0-9_]*)=\$/g)].map((m) => m[1]);
      expect(names).toEqual(expect.arrayContaining(['TEMPORAL_ADDRESS', 'MLFLOW_TRACKING_URI', 'DML_DATA_ROOT']));
      for (const worker of WORKERS) for (const name of names) expect([worker, name, name in envOf(worker)]).toEqual([worker, name, true]);
    });

    it('reads its MLflow store through the same driver', () => {
      expect(read('scripts/cluster.sh')).toContain("'postgresql+psycopg2://%s:%s@127.0.0.1:%s/%s'");
    });
  });
});
