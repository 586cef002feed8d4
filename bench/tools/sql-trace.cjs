// Preload (`node -r ./bench/tools/sql-trace.cjs dist/src/main.js`): appends every SQL statement the
// process sends through `pg` to the file named by SQL_TRACE_FILE, one JSON line each, so the
// statements behind one API call can be read and counted. Investigation only; never in a measured run.
'use strict';
const fs = require('node:fs');
const file = process.env.SQL_TRACE_FILE;
if (file) {
  const { Client } = require('pg');
  const original = Client.prototype.query;
  Client.prototype.query = function traced(config, values, callback) {
    const text = typeof config === 'string' ? config : config && config.text;
    if (text) fs.appendFileSync(file, `${JSON.stringify({ t: Date.now(), pid: this.processID, sql: text.replace(/\s+/g, ' ').trim() })}\n`);
    return original.call(this, config, values, callback);
  };
}
