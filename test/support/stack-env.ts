import { inject } from 'vitest';

// Tests that call shared code directly (the data layer, the Affirm adapter) run with the functions' environment.
Object.assign(process.env, inject('stack').env);
