// Where a .cpuprofile spends its time: self time by function and by module (package, or the
// project's own dist/ code, or node internals), plus GC and idle.
//
//   node bench/tools/summarize-profile.mjs bench/results/profiles/service-patient_get.cpuprofile [top=25]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The module a frame belongs to: an npm package name, `app:<path>` for dist/, or `node:`/(special). */
export function moduleOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = path.indexOf('/dist/');
  if (dist !== -1)
    return `app:${path
      .slice(dist + '/dist/'.length)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  if (path.startsWith('node:') || !path.startsWith('/')) return 'node (internals)';
  return path.split('/').slice(-2).join('/');
}

export function summarize(profile, top = 25) {
  const { nodes, samples, timeDeltas } = profile;
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const functions = new Map();
  const modules = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    const module = moduleOf(callFrame.url, name);
    const key = `${name} ${module}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    modules.set(module, (modules.get(module) ?? 0) + us);
  }
  const ranked = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((1000 * us) / total) / 10 }));
  const idle = (modules.get('(idle)') ?? 0) / total;
  return {
    totalMs: Math.round(total / 1000),
    busyPercent: Math.round(1000 * (1 - idle)) / 10,
    modules: ranked(modules),
    functions: ranked(functions),
  };
}

export function formatSummary(title, summary) {
  const lines = [`## ${title}`, '', `${summary.totalMs} ms sampled, busy ${summary.busyPercent}% (the rest idle)`, ''];
  lines.push('| self time by module | ms | % |', '| --- | ---: | ---: |');
  for (const row of summary.modules) lines.push(`| ${row.name} | ${row.ms} | ${row.percent} |`);
  lines.push('', '| self time by function | ms | % |', '| --- | ---: | ---: |');
  for (const row of summary.functions) lines.push(`| \`${row.name.replace(/\|/g, '\\|')}\` | ${row.ms} | ${row.percent} |`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/tools/summarize-profile.mjs <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(formatSummary(file, summarize(JSON.parse(readFileSync(file, 'utf8')), Number(top))));
}
