// placeholder: the emulator CLI (issue Foundation)
console.error('emulator: not implemented yet');
process.exit(1);
