/**
 * Bodies of Snipcart's calls to the hub. Snipcart's shapes are read by its adapter
 * (shared/providers/snipcart/mapping.ts); here only "a JSON object" is required, so that a
 * field Snipcart adds tomorrow never turns its call away.
 */

import * as z from 'zod/mini';
import { once } from '../../once.ts';

export const snipcartJsonBody = once(() => z.looseObject({}));
