// Preload for BENCH_PROFILE=1 (`node -r ./bench/tools/cpu-profile.cjs dist/src/main.js`): each
// SIGWINCH toggles the V8 CPU profiler, and stopping it writes CPU_PROFILE_DIR/cpu-<pid>-<n>.cpuprofile,
// so run.mjs profiles exactly the measured window of each scenario. With CPU_PROFILE_FROM_START=1
// it profiles from start-up until the first SIGWINCH instead. (`--cpu-prof` writes only on a
// normal exit, and Nest's shutdown hooks end the process by re-raising the signal; SIGUSR2 would
// shut Nest down, SIGWINCH is ignored by default.)
'use strict';
const fs = require('node:fs');
const inspector = require('node:inspector');
const path = require('node:path');

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 }); // microseconds
  let active = false;
  let count = 0;
  // CPU_PROFILE_FROM_START=1: profile from here (start-up), until the first SIGWINCH.
  if (process.env.CPU_PROFILE_FROM_START === '1') {
    active = true;
    session.post('Profiler.start');
  }
  process.on('SIGWINCH', () => {
    if (!active) {
      active = true;
      session.post('Profiler.start');
      return;
    }
    active = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) return console.error('cpu-profile:', error);
      const file = path.join(dir, `cpu-${process.pid}-${++count}.cpuprofile`);
      fs.writeFileSync(`${file}.part`, JSON.stringify(result.profile));
      fs.renameSync(`${file}.part`, file);
    });
  });
}
