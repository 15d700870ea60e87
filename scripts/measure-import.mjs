// Prints how long importing one module takes in this fresh process, in ms (wall, and CPU user+system).
// Plain JavaScript on purpose: nothing else is loaded before the import being measured.
const cpu = process.cpuUsage();
const started = performance.now();
await import(process.argv[2]);
const wall = performance.now() - started;
const used = process.cpuUsage(cpu);
process.stdout.write(`${wall.toFixed(3)} ${((used.user + used.system) / 1000).toFixed(3)}\n`);
