/*
 * The CI guide's workflows (examples/policy-ci) run locally: a git repository made of the
 * example's files (an "origin" with main, and a clone with a branch that changes the policy),
 * purview linked into its node_modules (the built dist/, as `npm ci` would install it), and every
 * step of the GitHub Actions job and every line of the GitLab CI script run in bash as the runners
 * run them, except what needs their servers: `uses:` actions, `npm ci`, and the GitHub step that
 * posts a comment through the API (it has an `if:`). Needs git and bash (and curl for the GitLab
 * note, posted to an HTTP server this test starts on loopback).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'policy-ci');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const built = existsSync(BIN);
const hasGit = spawnSync('git', ['--version']).status === 0;
const hasCurl = spawnSync('curl', ['--version']).status === 0;

const scratch = mkdtempSync(join(tmpdir(), 'purview-ci-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function sh(cwd: string, script: string, env: Record<string, string> = {}): { status: number; out: string } {
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', ...env },
    timeout: 120_000,
  });
  return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

let n = 0;
/**
 * A clone of an origin holding the example on main, on a branch where `change` edited the policy
 * (and `testChange` the test file) and was committed.
 */
function repository(change: (policy: string) => string, testChange: (test: string) => string = (t) => t): string {
  const dir = join(scratch, `r${n++}`);
  const origin = join(dir, 'origin');
  const work = join(dir, 'work');
  mkdirSync(dir);
  cpSync(EXAMPLE, origin, { recursive: true });
  const init = sh(origin, 'git init -q -b main . && git add -A && git commit -q -m base');
  expect(init.status, init.out).toBe(0);
  const clone = sh(dir, `git clone -q "${origin}" work && cd work && git checkout -q -b change`);
  expect(clone.status, clone.out).toBe(0);
  const policyPath = join(work, 'policies', 'crm.policy.yaml');
  writeFileSync(policyPath, change(readFileSync(policyPath, 'utf8')));
  const testPath = join(work, 'policies', 'tests', 'crm.test.yaml');
  writeFileSync(testPath, testChange(readFileSync(testPath, 'utf8')));
  expect(sh(work, 'git commit -q -am change').status).toBe(0);
  // What npm ci would leave: purview in node_modules with its bin.
  mkdirSync(join(work, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(ROOT, join(work, 'node_modules', 'purview'));
  symlinkSync(BIN, join(work, 'node_modules', '.bin', 'purview'));
  return work;
}

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
}

/** Runs the GitHub job's steps as the runner would, up to the first that fails. */
function runGithubJob(work: string): { failedStep?: string; summary: string; ran: string[]; skipped: string[]; out: string } {
  const workflow = parse(readFileSync(join(work, '.github', 'workflows', 'policies.yml'), 'utf8')) as { jobs: { policies: { steps: Step[] } } };
  const temp = mkdtempSync(join(scratch, 'runner-'));
  const summary = join(temp, 'summary.md');
  writeFileSync(summary, '');
  const ran: string[] = [];
  const skipped: string[] = [];
  let out = '';
  for (const step of workflow.jobs.policies.steps) {
    const label = step.name ?? step.run ?? step.uses ?? '?';
    if (step.uses !== undefined || step.run === 'npm ci' || step.if !== undefined) {
      skipped.push(label);
      continue;
    }
    ran.push(label);
    const r = sh(work, step.run ?? '', { GITHUB_BASE_REF: 'main', GITHUB_STEP_SUMMARY: summary, RUNNER_TEMP: temp });
    out += r.out;
    if (r.status !== 0) return { failedStep: label, summary: readFileSync(summary, 'utf8'), ran, skipped, out };
  }
  return { summary: readFileSync(summary, 'utf8'), ran, skipped, out };
}

/** The GitLab job's script as one shell script (the runner runs its lines in one shell), without npm ci. */
function gitlabScript(work: string): string {
  const ci = parse(readFileSync(join(work, '.gitlab-ci.yml'), 'utf8')) as { policies: { script: string[] } };
  return ci.policies.script.filter((l) => l !== 'npm ci').join('\n');
}

const GITLAB_ENV = { CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main', CI_PIPELINE_SOURCE: 'merge_request_event' };

/** Runs the GitLab job's script in one shell, as the runner does. */
function runGitlabJob(work: string): { status: number; out: string } {
  return sh(work, gitlabScript(work), GITLAB_ENV);
}

/** A branch that adds dee to support: she gains what the sharing rule gives support. */
const addDeeToSupport = (p: string): string => p.replace('  - { id: cid }\n', '  - { id: cid }\n  - { id: dee }\n').replace('{ id: support, members: { users: [cid] } }', '{ id: support, members: { users: [cid, dee] } }');
/** A branch that drops the sharing rule: support loses its view of the sales leads. */
const dropSharingRule = (p: string): string => p.replace(/sharingRules:[\s\S]*$/, '');
/** The test file of that branch: cid may no longer view l1. */
const cidMayNotView = (t: string): string => t.replace(/(check: \{ user: cid, action: view, resource: l1 \}\n\s+expect: )allow/, '$1deny');

describe.runIf(built && hasGit)('the CI guide, run locally', () => {
  it('the edits below change the policy (so that each case tests what it says)', () => {
    const p = readFileSync(join(EXAMPLE, 'policies', 'crm.policy.yaml'), 'utf8');
    expect(addDeeToSupport(p)).not.toBe(p);
    expect(dropSharingRule(p)).not.toBe(p);
    const t = readFileSync(join(EXAMPLE, 'policies', 'tests', 'crm.test.yaml'), 'utf8');
    expect(cidMayNotView(t)).not.toBe(t);
  });

  it('GitHub: a change that only grants access passes, and the summary shows what it grants', () => {
    const job = runGithubJob(repository(addDeeToSupport));
    expect(job.failedStep, job.out).toBeUndefined();
    expect(job.ran).toEqual(['Validate the policy (every problem at once)', 'Run the policy tests', 'Access diff against the base branch']);
    expect(job.skipped).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'npm ci', 'Post the access diff on the pull request']);
    expect(job.summary).toMatch(/### Access changes against origin\/main/);
    expect(job.summary).toMatch(/\+ user "dee" view lead "l1": deny \(unknown-user\) -> allow \(sharing-rule "leads-to-support" read\)/);
    expect(job.summary).toMatch(/user "dee" joins "support"/);
    expect(job.summary).toMatch(/decisions? changed: \d+ gained, 0 lost/);
    expect(job.out).toMatch(/5 passed, 0 failed/);
  });

  it('GitHub: a change that removes access fails the diff step, and the summary still says why', () => {
    const job = runGithubJob(repository(dropSharingRule, cidMayNotView));
    expect(job.failedStep, job.out).toBe('Access diff against the base branch');
    expect(job.summary).toMatch(/- user "cid" view lead "l1": allow \(sharing-rule "leads-to-support" read\) -> deny \(record-access\)/);
    expect(job.summary).toMatch(/a reviewer must approve it/);
  });

  it('GitHub: a change the tests did not expect fails at the tests, before the diff', () => {
    const job = runGithubJob(repository(dropSharingRule));
    expect(job.failedStep).toBe('Run the policy tests');
    expect(job.out).toMatch(/4 passed, 1 failed/);
  });

  it('GitHub: a broken policy stops at validation with every problem listed', () => {
    const job = runGithubJob(repository((p) => `${p}groupz: []\n`.replace('{ id: cid }', '{ id: cid, role: ghost }')));
    expect(job.failedStep).toBe('Validate the policy (every problem at once)');
    expect(job.out).toMatch(/unknown field "groupz"/);
    expect(job.out).toMatch(/"ghost"/);
    expect(job.summary).toBe('');
  });

  it('GitLab: the same script, with a JUnit report and the diff as an artifact; a loss fails the job', () => {
    const gain = repository(addDeeToSupport);
    const ok = runGitlabJob(gain);
    expect(ok.status, ok.out).toBe(0);
    expect(readFileSync(join(gain, 'purview-junit.xml'), 'utf8')).toMatch(/<testsuites[^>]*tests="5"[^>]*failures="0"/);
    expect(readFileSync(join(gain, 'access-diff.md'), 'utf8')).toMatch(/\+ user "dee" view lead "l1"/);
    const loss = repository(dropSharingRule, cidMayNotView);
    const bad = runGitlabJob(loss);
    expect(bad.status).toBe(1);
    expect(readFileSync(join(loss, 'access-diff.md'), 'utf8')).toMatch(/- user "cid" view lead "l1"/);
  });

  it.runIf(hasCurl)('GitLab: with PURVIEW_NOTE_TOKEN set, the diff is posted as a merge request note (to a server on loopback that speaks the notes API)', async () => {
    const work = repository(addDeeToSupport);
    const posts: { url: string; token: string | undefined; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        posts.push({ url: req.url ?? '', token: req.headers['private-token'] as string | undefined, body });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":1}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const status = await new Promise<number>((resolve) => {
        const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', gitlabScript(work)], {
          cwd: work,
          env: { ...process.env, ...GITLAB_ENV, PURVIEW_NOTE_TOKEN: 'secret', CI_API_V4_URL: `http://127.0.0.1:${port}/api/v4`, CI_PROJECT_ID: '7', CI_MERGE_REQUEST_IID: '3' },
          stdio: 'ignore',
        });
        child.on('close', (code) => resolve(code ?? 1));
      });
      expect(status).toBe(0);
    } finally {
      server.close();
    }
    expect(posts).toHaveLength(1);
    expect(posts[0]!.url).toBe('/api/v4/projects/7/merge_requests/3/notes');
    expect(posts[0]!.token).toBe('secret');
    const body = new URLSearchParams(posts[0]!.body).get('body') ?? '';
    expect(body).toMatch(/### Access changes against origin\/main/);
    expect(body).toMatch(/\+ user "dee" view lead "l1"/);
  });
});
