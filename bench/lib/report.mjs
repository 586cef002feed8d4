// The benchmark's figures as a Markdown report (also printed) and the targets they are held to.

const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const ms = (value) => (Number.isFinite(value) ? (value < 10 ? value.toFixed(1) : value.toFixed(0)) : '–');

/** What issue 21 asks of the service, against the baseline of the same sitting. */
export const TARGETS = {
  read: { rpsRatio: 0.6, cpuRatio: 1.6 },
  write: { rpsRatio: 0.5, cpuRatio: 2 },
  /** p99 at the below-saturation step's connections, service ÷ baseline, in every scenario. */
  p99Ratio: 1.5,
  peakRssMb: 160,
  idleRssMb: 120,
  startMs: 1000,
  scaleP50Ratio: 1.3,
  /** Patient search, patient by id, and the clinic's list (issue 12's front desk). */
  scaleScenarios: ['patients_search', 'patient_get', 'staff_list'],
};

/** The run of one scenario against one server, at one table size and number of connections. */
export function findRun(runs, scenario, target, scale, connections) {
  return runs.find((run) => run.scenario === scenario && run.target === target && run.scale === scale && run.connections === connections);
}

/** Service/baseline pairs with their ratios, in scenario order; at the run's main number of connections unless told. */
export function pairs(results, connections = results.config.connections) {
  const rows = [];
  for (const scale of ['10k', '1M']) {
    for (const scenario of results.scenarioOrder) {
      const service = findRun(results.runs, scenario, 'service', scale, connections);
      if (!service) continue;
      const baseline = findRun(results.runs, scenario, 'baseline', scale, connections);
      rows.push({ scenario, scale, service, baseline, ratio: baseline ? service.rps / baseline.rps : undefined });
    }
  }
  return rows;
}

/** Per scenario at 10k rows: requests/s and CPU per request against the baseline, and p99 below saturation. */
export function summaryRows(results) {
  const fewer = results.config.latencyConnections;
  return pairs(results)
    .filter((row) => row.scale === '10k' && row.baseline)
    .map((row) => {
      const kind = results.scenarios[row.scenario].kind;
      const target = TARGETS[kind];
      const cpuRatio = row.service.cpuMsPerRequest.serverMs / row.baseline.cpuMsPerRequest.serverMs;
      const low = fewer ? findRun(results.runs, row.scenario, 'service', '10k', fewer) : undefined;
      const lowBase = fewer ? findRun(results.runs, row.scenario, 'baseline', '10k', fewer) : undefined;
      const p99Ratio = low && lowBase ? low.latencyMs.p99 / lowBase.latencyMs.p99 : undefined;
      return { ...row, kind, target, cpuRatio, p99Ratio, low, lowBase };
    });
}

/** Each target with the measured value and whether it is met. */
export function checkTargets(results) {
  const checks = [];
  for (const row of summaryRows(results)) {
    if (!row.target) continue;
    checks.push({
      target: `${row.scenario}: rps ≥ ${row.target.rpsRatio * 100}% of baseline`,
      value: `${fixed(row.ratio * 100)}%`,
      met: row.ratio >= row.target.rpsRatio,
    });
    checks.push({
      target: `${row.scenario}: server CPU per request ≤ ${row.target.cpuRatio}× baseline`,
      value: `${fixed(row.cpuRatio, 2)}×`,
      met: row.cpuRatio <= row.target.cpuRatio,
    });
    if (row.p99Ratio !== undefined) {
      checks.push({
        target: `${row.scenario}: p99 at ${results.config.latencyConnections} connections ≤ ${TARGETS.p99Ratio}× baseline`,
        value: `${fixed(row.p99Ratio, 2)}×`,
        met: row.p99Ratio <= TARGETS.p99Ratio,
      });
    }
  }
  const peak = results.service.hwmMb;
  checks.push({
    target: `service peak RSS < ${TARGETS.peakRssMb} MB (whole run, VmHWM)`,
    value: `${fixed(peak)} MB`,
    met: peak < TARGETS.peakRssMb,
  });
  checks.push({
    target: `service idle RSS < ${TARGETS.idleRssMb} MB (after start)`,
    value: `${fixed(results.start.idleRssMb)} MB`,
    met: results.start.idleRssMb < TARGETS.idleRssMb,
  });
  checks.push({
    target: `start to ready < ${TARGETS.startMs} ms (migrated database, median of ${results.start.runsMs.length})`,
    value: `${fixed(results.start.medianMs)} ms`,
    met: results.start.medianMs < TARGETS.startMs,
  });
  if (results.explain?.['1M']) {
    const seqScans = results.seqScansAt1M ?? [];
    checks.push({
      target: 'no Seq Scan on patients in the EXPLAINed statements at 1M',
      value: seqScans.length > 0 ? seqScans.join(', ') : 'none',
      met: seqScans.length === 0,
    });
  }
  for (const item of results.scale?.p50Ratios ?? []) {
    if (item.target !== 'service' || !TARGETS.scaleScenarios.includes(item.scenario)) continue;
    checks.push({
      target: `${item.scenario}: p50 at 1M ≤ ${TARGETS.scaleP50Ratio}× p50 at 10k`,
      value: `${fixed(item.ratio, 2)}×`,
      met: item.ratio <= TARGETS.scaleP50Ratio,
    });
  }
  return checks;
}

export function markdown(results) {
  const { meta, config } = results;
  const lines = [
    '# Benchmark: service vs baseline',
    '',
    `${meta.date} · ${meta.cpus}× ${meta.cpuModel} · ${fixed(meta.memoryGb, 1)} GB · Node ${meta.node} · ${meta.postgres} (${meta.database})` +
      (meta.serviceBuild === 'dist/'
        ? ` · commit ${meta.commit}${meta.dirty ? ' (with uncommitted changes)' : ''}`
        : ` · service built from ${meta.serviceBuild} (checkout at ${meta.commit})`),
    '',
    `${config.connections} connections, ${config.warmupSeconds} s warm-up + ${config.durationSeconds} s measured per line; ` +
      `pool ${config.poolSize}; rate-limit window ${config.throttleTtl} (limits raised to 1,000,000); ` +
      'load generator, servers and PostgreSQL share the machine; ' +
      `the service runs as \`npm start\` runs it (\`node ${config.startNodeArgs}\`).` +
      (config.profiled ? ' **CPU profiler on: figures are not comparable to an unprofiled run.**' : '') +
      (config.serviceNodeArgs ? ` **What-if: the service runs with \`${config.serviceNodeArgs}\`.**` : ''),
    '',
    '## Against the targets (issue 21)',
    '',
    `Service ÷ baseline, same sitting, ${config.connections} connections for requests/s and server CPU per request (the figure that moves least on a shared machine), ` +
      `${config.latencyConnections || '–'} connections for p99. Reads: rps ≥ ${TARGETS.read.rpsRatio * 100}%, CPU ≤ ${TARGETS.read.cpuRatio}×; ` +
      `writes: rps ≥ ${TARGETS.write.rpsRatio * 100}%, CPU ≤ ${TARGETS.write.cpuRatio}×; p99 ≤ ${TARGETS.p99Ratio}× everywhere.`,
    '',
    '| scenario | kind | rps ratio | CPU ratio | p99 ratio (below saturation) | met |',
    '| --- | --- | ---: | ---: | ---: | :---: |',
    ...summaryRows(results).map((row) => {
      const met =
        !row.target ||
        (row.ratio >= row.target.rpsRatio &&
          row.cpuRatio <= row.target.cpuRatio &&
          (row.p99Ratio === undefined || row.p99Ratio <= TARGETS.p99Ratio));
      return (
        `| ${results.scenarios[row.scenario].title} | ${row.kind} | ${fixed(row.ratio * 100)}% | ${fixed(row.cpuRatio, 2)}× | ` +
        `${row.p99Ratio === undefined ? '–' : `${fixed(row.p99Ratio, 2)}×`} | ${met ? 'yes' : '**no**'} |`
      );
    }),
    '',
    `Memory: peak RSS ${fixed(results.service.hwmMb)} MB over the whole run (< ${TARGETS.peakRssMb}), idle ${fixed(results.start.idleRssMb)} MB after start (< ${TARGETS.idleRssMb}); ` +
      `start to ready median ${fixed(results.start.medianMs)} ms (< ${TARGETS.startMs}); ` +
      (results.scale
        ? `p50 at 1M ÷ p50 at 10k: ${results.scale.p50Ratios
            .filter((item) => item.target === 'service' && TARGETS.scaleScenarios.includes(item.scenario))
            .map((item) => `${item.scenario} ${fixed(item.ratio, 2)}×`)
            .join(', ')} (≤ ${TARGETS.scaleP50Ratio}×). `
        : 'no scale step. ') +
      'Every target with its verdict is under "Targets" below.',
    '',
    '## All runs',
    '',
    '| scenario | rows | service rps | baseline rps | service / baseline | service CPU ms/req | baseline CPU ms/req | service / baseline CPU | service p50 / p99 ms | baseline p50 / p99 ms | service errors / non-2xx | baseline errors / non-2xx | service peak RSS MB | baseline peak RSS MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of pairs(results)) {
    const { service: s, baseline: b } = row;
    lines.push(
      `| ${results.scenarios[row.scenario].title} | ${row.scale} | ${fixed(s.rps)} | ${b ? fixed(b.rps) : '–'} | ` +
        `${row.ratio === undefined ? '–' : `${fixed(row.ratio * 100)}%`} | ${fixed(s.cpuMsPerRequest.serverMs, 2)} | ` +
        `${b ? fixed(b.cpuMsPerRequest.serverMs, 2) : '–'} | ${b ? `${fixed(s.cpuMsPerRequest.serverMs / b.cpuMsPerRequest.serverMs, 2)}×` : '–'} | ` +
        `${ms(s.latencyMs.p50)} / ${ms(s.latencyMs.p99)} | ` +
        `${b ? `${ms(b.latencyMs.p50)} / ${ms(b.latencyMs.p99)}` : '–'} | ${s.errors + s.timeouts} / ${s.non2xx} | ` +
        `${b ? `${b.errors + b.timeouts} / ${b.non2xx}` : '–'} | ${fixed(s.peakRssMb)} | ${b ? fixed(b.peakRssMb) : '–'} |`,
    );
  }
  lines.push(
    '',
    'CPU per request over the measured window (less sensitive than requests/s to other work on the machine): the server process, ' +
      'and the PostgreSQL backends serving it.',
    '',
    '| scenario | rows | service CPU ms/req | baseline CPU ms/req | service / baseline | service DB CPU ms/req | baseline DB CPU ms/req |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of pairs(results)) {
    const s = row.service.cpuMsPerRequest;
    const b = row.baseline?.cpuMsPerRequest;
    lines.push(
      `| ${results.scenarios[row.scenario].title} | ${row.scale} | ${fixed(s.serverMs, 2)} | ${b ? fixed(b.serverMs, 2) : '–'} | ` +
        `${b ? `${fixed(s.serverMs / b.serverMs, 1)}×` : '–'} | ${fixed(s.databaseMs, 2)} | ${b ? fixed(b.databaseMs, 2) : '–'} |`,
    );
  }
  lines.push('');
  const disturbed = results.runs.filter((run) => run.otherCpuPct > 10);
  const worst = Math.max(...results.runs.map((run) => run.otherCpuPct));
  lines.push(
    disturbed.length > 0
      ? `**Disturbed:** processes outside the benchmark used up to ${fixed(worst)}% of the machine's CPU during ${disturbed.length} of ` +
          `${results.runs.length} runs (${disturbed.map((run) => `${run.target} ${run.scenario} ${run.scale}`).join(', ')}); ` +
          'those figures are low. Run again on a quiet machine.'
      : `Processes outside the benchmark used at most ${fixed(worst)}% of the machine's CPU during any run.`,
    '',
  );
  const start = results.start;
  lines.push(
    `Start to ready (spawn → \`/health/ready\` 200, migrated database): median ${fixed(start.medianMs)} ms ` +
      `(runs: ${start.runsMs.map((value) => fixed(value)).join(', ')} ms); first start with migrations ${fixed(start.firstStartMs)} ms. ` +
      `Service RSS when idle after start ${fixed(start.idleRssMb)} MB, peak over the whole run ${fixed(results.service.hwmMb)} MB (VmHWM).`,
  );
  const fewer = results.config.latencyConnections;
  const belowSaturation = fewer ? pairs(results, fewer) : [];
  if (belowSaturation.length > 0) {
    lines.push(
      '',
      `Latency below saturation: scenarios 1-4 and 6-9 at ${fewer} connections instead of ${config.connections}. At ${config.connections} ` +
        'busy connections a request mostly waits its turn (mean latency = connections ÷ throughput); here it shows what a request ' +
        'itself takes.',
      '',
      '| scenario | service rps | baseline rps | service CPU ms/req | baseline CPU ms/req | service p50 / p99 ms | baseline p50 / p99 ms | p99 service / baseline | service errors / non-2xx |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const { scenario, service: s, baseline: b } of belowSaturation) {
      lines.push(
        `| ${results.scenarios[scenario].title} | ${fixed(s.rps)} | ${b ? fixed(b.rps) : '–'} | ${fixed(s.cpuMsPerRequest.serverMs, 2)} | ` +
          `${b ? fixed(b.cpuMsPerRequest.serverMs, 2) : '–'} | ${ms(s.latencyMs.p50)} / ${ms(s.latencyMs.p99)} | ` +
          `${b ? `${ms(b.latencyMs.p50)} / ${ms(b.latencyMs.p99)}` : '–'} | ${b ? `${fixed(s.latencyMs.p99 / b.latencyMs.p99, 2)}×` : '–'} | ${s.errors + s.timeouts} / ${s.non2xx} |`,
      );
    }
  }
  if (results.scale) {
    lines.push('');
    const ratios = results.scale.p50Ratios.map((item) => `${item.target} ${item.scenario} ${fixed(item.ratio, 2)}×`).join(', ');
    lines.push(`Scale (${results.scale.patients.toLocaleString('en-US')} patients): p50 at 1M / p50 at 10k: ${ratios}.`);
  }
  lines.push(
    '',
    '## SQL of scenarios 2, 3 and 6-8 (EXPLAIN ANALYZE, warm cache)',
    '',
    "`staff_*` are the clinic's staff member's list and search without `?clinic=`, `clinic_*` with it (`clinic_list_page` is not a " +
      'load scenario). The JSON has each whole plan, with its buffers.',
    '',
    '| query | rows | first scan | Seq Scan on patients | execution ms |',
    '| --- | --- | --- | :---: | ---: |',
  );
  for (const [scale, plans] of Object.entries(results.explain)) {
    for (const [name, plan] of Object.entries(plans))
      lines.push(
        `| ${name} | ${scale} | ${plan.scan ?? '–'} | ${plan.seqScanOnPatients ? '**yes**' : 'no'} | ${fixed(plan.executionMs, 2)} |`,
      );
  }
  lines.push('', '## Targets', '', '| target | measured | met |', '| --- | ---: | :---: |');
  for (const check of checkTargets(results)) lines.push(`| ${check.target} | ${check.value} | ${check.met ? 'yes' : '**no**'} |`);
  if (results.parity.length > 0) {
    lines.push('', '## Baseline parity (same bytes, headers, audit entries and event rows for the same request)', '');
    for (const item of results.parity) lines.push(`- ${item.scenario}: ${item.same ? 'same' : `**differs**: ${item.detail}`}`);
  }
  lines.push('');
  return lines.join('\n');
}
