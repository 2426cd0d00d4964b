/**
 * The Dockerfile cannot be built here (no Docker engine), so it is checked by reading: a syntax lint
 * (dockerfile-utils, the parser behind VS Code's Dockerfile support), the runtime stage's shape, and
 * that everything the server loads at run time is in the image: the files it reads and imports are
 * copied and let through .dockerignore, and the packages it imports survive `npm ci --omit=dev`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const dockerfile = read('Dockerfile');
const pkg = JSON.parse(read('package.json')) as {
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
  bin: Record<string, string>;
};

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions grouped by stage (continuation lines joined, comments dropped). */
function stages(text: string): { from: string; instructions: Instruction[] }[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const result: { from: string; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\w+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') result.push({ from: args, instructions: [] });
    else result.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return result;
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** What a source file loads at run time: import specifiers (not `import type`) and files it reads by URL. */
function runtimeReferences(source: string): string[] {
  const patterns = [
    /^\s*import\s+(?!type\s)[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gm,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /^\s*export\s+(?!type\s)[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/g,
  ];
  return patterns.flatMap((p) => [...source.matchAll(p)].map((m) => m[1]!));
}

const packageName = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const runtime = stages(dockerfile).at(-1)!;
const copied = runtime.instructions
  .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
  .flatMap((i) =>
    i.args
      .split(/\s+/)
      .filter((a) => !a.startsWith('--'))
      .slice(0, -1),
  );

describe('Dockerfile', () => {
  it('passes the dockerfile-utils lint without a single diagnostic', () => {
    expect(validate(dockerfile).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('builds production dependencies in a separate stage and runs on node:20-bookworm-slim', () => {
    const all = stages(dockerfile);
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(runtime.from).toMatch(/^\$\{NODE_IMAGE\} AS runtime$/);
    const deps = all.find((s) => / AS deps$/.test(s.from))!;
    const depsRun = deps.instructions
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(depsRun).toMatch(/npm ci --omit=dev/);
    expect(depsRun).toMatch(/python3 make g\+\+/);
    expect(runtime.instructions.some((i) => i.keyword === 'COPY' && i.args.startsWith('--from=deps /app/node_modules'))).toBe(true);
  });

  it('runs as the unprivileged node user in production mode, with a health check on /health/ready', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.at(-1)).toBe('node');
    const lastUser = runtime.instructions.findLastIndex((i) => i.keyword === 'USER');
    expect(runtime.instructions.slice(lastUser).some((i) => i.keyword === 'RUN')).toBe(false);
    const env = runtime.instructions
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(runtime.instructions).toContainEqual({ keyword: 'EXPOSE', args: '8080' });
    const health = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')!;
    expect(health.args).toContain('/health/ready');
  });

  it('starts the server the way `npm start` does (compiled in a build stage), and puts the CLI on the PATH', () => {
    const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').at(-1)!;
    expect(`npm run -s build && ${(JSON.parse(cmd.args) as string[]).join(' ')}`).toBe(pkg.scripts.start);
    const build = stages(dockerfile).find((s) => / AS build$/.test(s.from))!;
    expect(build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args)).toContain('npm run -s build');
    expect(runtime.instructions.some((i) => i.keyword === 'COPY' && i.args === '--from=build /app/dist ./dist')).toBe(true);
    expect(runtime.instructions.some((i) => i.keyword === 'ENTRYPOINT')).toBe(false);
    const binFile = pkg.bin['openwb-gateway']!;
    expect(dockerfile).toContain(`ln -s /app/${binFile} /usr/local/bin/openwb-gateway`);
  });

  it('copies every file the server and the CLI load at run time, and .dockerignore lets them through', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    expect(read('.dockerignore')).toMatch(/^\*$/m);
    for (const path of copied) expect(allowed, `COPY ${path}`).toContain(path.replace(/\/$/, ''));

    const needed = new Set<string>();
    for (const file of [...filesUnder('src'), ...filesUnder('bin')]) {
      const source = readFileSync(file, 'utf8');
      for (const ref of runtimeReferences(source)) {
        if (!ref.startsWith('.')) continue;
        needed.add(relative(ROOT, resolve(dirname(file), ref)).split(/[/\\]/)[0]!);
      }
      // Files read relative to the package root (src/package-root.ts).
      for (const match of source.matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*PACKAGE_ROOT\s*\)/g)) needed.add(match[1]!.split('/')[0]!);
    }
    expect([...needed]).toEqual(expect.arrayContaining(['src', 'package.json', 'openapi.yaml']));
    // dist/ (the compiled server and the built dashboard) comes from the build stage, not from the context.
    const fromBuild = runtime.instructions
      .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build '))
      .map((i) => i.args.split(/\s+/).at(-1)!.replace(/^\.\//, ''));
    for (const entry of needed)
      expect(
        [...copied, ...fromBuild].map((p) => p.replace(/\/$/, '')),
        `runtime needs ${entry}`,
      ).toContain(entry);
  });

  it('needs no devDependency at run time (the image installs with --omit=dev)', () => {
    const missing = new Set<string>();
    for (const file of [...filesUnder('src'), ...filesUnder('bin')]) {
      for (const ref of runtimeReferences(readFileSync(file, 'utf8'))) {
        if (ref.startsWith('.') || ref.startsWith('node:') || builtinModules.includes(ref)) continue;
        const name = packageName(ref);
        if (!(name in pkg.dependencies)) missing.add(`${name} (${relative(ROOT, file)})`);
      }
    }
    expect([...missing]).toEqual([]);
    expect(pkg.dependencies).toHaveProperty('tsx');
  });
});
